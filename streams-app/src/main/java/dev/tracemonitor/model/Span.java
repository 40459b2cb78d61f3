package dev.tracemonitor.model;

import java.util.List;
import java.util.Map;

/**
 * One span of a trace, in MLflow's span dictionary shape. Attribute values are kept exactly as MLflow stores
 * them: JSON-encoded text, so {@code mlflow.spanType} is {@code "\"RETRIEVER\""}.
 */
public record Span(
        String traceId,
        String spanId,
        String parentSpanId,
        String name,
        long startTimeUnixNano,
        long endTimeUnixNano,
        SpanStatus status,
        List<SpanEvent> events,
        Map<String, String> attributes) {

    public static final String SPAN_TYPE = "mlflow.spanType";
    public static final String SPAN_INPUTS = "mlflow.spanInputs";
    public static final String SPAN_OUTPUTS = "mlflow.spanOutputs";

    public Span {
        events = events == null ? List.of() : List.copyOf(events);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public boolean isRoot() {
        return parentSpanId == null || parentSpanId.isEmpty();
    }

    /** The span type without its JSON quoting, e.g. {@code RETRIEVER}; null when absent. */
    public String spanType() {
        return Json.unquote(attributes.get(SPAN_TYPE));
    }

    /** The span inputs as JSON text, or null. */
    public String inputsJson() {
        return attributes.get(SPAN_INPUTS);
    }

    /** The span outputs as JSON text, or null. */
    public String outputsJson() {
        return attributes.get(SPAN_OUTPUTS);
    }
}
