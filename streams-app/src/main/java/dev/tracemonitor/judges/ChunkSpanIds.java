package dev.tracemonitor.judges;

import dev.tracemonitor.model.RetrievedDocument;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The span dimension of per-chunk assessments. Assessment ids derive from (trace_id, assessment_name, span_id), and
 * one retriever span returns many chunks, so a chunk's verdict is recorded against
 * {@code "<retriever span id>#<chunk index>"}: the retriever's span id, a {@code #} (which never occurs in an
 * OpenTelemetry / MLflow span id, 16 hex digits) and the chunk's 0-based position in that span's output list. The
 * span-level {@code chunk_relevance/precision} and {@code groundedness} verdicts keep the plain span id.
 */
public final class ChunkSpanIds {

    public static final char SEPARATOR = '#';

    private ChunkSpanIds() {
    }

    public static String of(String retrieverSpanId, int chunkIndex) {
        if (chunkIndex < 0) {
            throw new IllegalArgumentException("chunk index must not be negative: " + chunkIndex);
        }
        return retrieverSpanId + SEPARATOR + chunkIndex;
    }

    /** The retriever span id of a chunk span id; a plain span id is returned unchanged. */
    public static String retrieverSpanId(String spanId) {
        return chunkIndex(spanId) < 0 ? spanId : spanId.substring(0, spanId.lastIndexOf(SEPARATOR));
    }

    /** The chunk index of a chunk span id, or -1 for a plain span id. */
    public static int chunkIndex(String spanId) {
        int separator = spanId.lastIndexOf(SEPARATOR);
        if (separator < 0) {
            return -1;
        }
        String index = spanId.substring(separator + 1);
        if (index.isEmpty() || index.length() > 9 || !index.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(index);
    }

    /**
     * What identifies a chunk in its verdict's metadata, whichever backend judged it: the retriever span, the
     * chunk's index and the document's uri, chunk id and id where it has them. Mutable, for the judge's own entries.
     */
    public static Map<String, String> metadata(String retrieverSpanId, int chunkIndex, RetrievedDocument document) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("retriever_span_id", retrieverSpanId);
        metadata.put("chunk_index", Integer.toString(chunkIndex));
        if (document.docUri() != null) {
            metadata.put("doc_uri", document.docUri());
        }
        if (document.chunkId() != null) {
            metadata.put("chunk_id", document.chunkId());
        }
        if (document.id() != null) {
            metadata.put("document_id", document.id());
        }
        return metadata;
    }
}
