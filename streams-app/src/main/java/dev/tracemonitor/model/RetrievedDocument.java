package dev.tracemonitor.model;

/** One chunk a RETRIEVER span returned: MLflow's Document {@code {page_content, metadata{doc_uri, chunk_id}, id}}. */
public record RetrievedDocument(String pageContent, String docUri, String chunkId, String id) {
}
