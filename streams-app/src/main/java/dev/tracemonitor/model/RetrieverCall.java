package dev.tracemonitor.model;

import java.util.List;

/** A top-level RETRIEVER span and the documents it returned, in order. */
public record RetrieverCall(String spanId, String query, List<RetrievedDocument> documents) {
    public RetrieverCall {
        documents = List.copyOf(documents);
    }
}
