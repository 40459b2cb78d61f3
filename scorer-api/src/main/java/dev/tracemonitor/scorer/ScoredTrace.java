package dev.tracemonitor.scorer;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A read-only view of the trace being scored, as the service decoded it from MLflow's trace JSON.
 *
 * @param traceId      the trace's id
 * @param experimentId the experiment (monitor) it belongs to
 * @param request      the request text the builtin judges read: the root span's inputs as text, else MLflow's request
 *                     preview; null when the trace has neither
 * @param response     the response text likewise (root span outputs, else the response preview); null when absent
 * @param inputsJson   the root span's inputs as JSON text, or null
 * @param outputsJson  the root span's outputs as JSON text, or null
 * @param tags         the trace's tags
 * @param metadata     the trace's metadata ({@code trace_metadata})
 * @param spans        every span, in the order the trace lists them
 */
public record ScoredTrace(String traceId, String experimentId, String request, String response, String inputsJson,
                          String outputsJson, Map<String, String> tags, Map<String, String> metadata,
                          List<ScoredSpan> spans) {

    public ScoredTrace {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        spans = spans == null ? List.of() : List.copyOf(spans);
    }

    /** The span with this id, if the trace has it. */
    public Optional<ScoredSpan> span(String spanId) {
        return spans.stream().filter(s -> Objects.equals(s.spanId(), spanId)).findFirst();
    }

    /** The root span (no parent), or the first span when none is marked as root; empty for a trace without spans. */
    public Optional<ScoredSpan> root() {
        return spans.stream().filter(ScoredSpan::isRoot).findFirst().or(() -> spans.stream().findFirst());
    }
}
