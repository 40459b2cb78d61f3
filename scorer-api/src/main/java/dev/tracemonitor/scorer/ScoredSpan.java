package dev.tracemonitor.scorer;

import java.util.Map;

/**
 * A read-only view of one span of the trace being scored.
 *
 * @param spanId            the span's id
 * @param parentSpanId      its parent's id, null for a root span
 * @param name              the span's name
 * @param spanType          MLflow's span type ({@code LLM}, {@code RETRIEVER}, {@code TOOL}, ...), or null
 * @param inputsJson        the span's inputs as JSON text, or null
 * @param outputsJson       the span's outputs as JSON text, or null
 * @param attributes        the span's attributes as the writer stored them (MLflow JSON-encodes each value)
 * @param startTimeUnixNano start, in nanoseconds since the epoch
 * @param endTimeUnixNano   end, in nanoseconds since the epoch
 * @param statusCode        {@code STATUS_CODE_OK}, {@code STATUS_CODE_ERROR}, {@code STATUS_CODE_UNSET}, or null
 */
public record ScoredSpan(String spanId, String parentSpanId, String name, String spanType, String inputsJson,
                         String outputsJson, Map<String, String> attributes, long startTimeUnixNano,
                         long endTimeUnixNano, String statusCode) {

    public ScoredSpan {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public boolean isRoot() {
        return parentSpanId == null || parentSpanId.isEmpty();
    }
}
