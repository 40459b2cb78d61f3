package dev.tracemonitor.model;

import java.util.List;
import java.util.Map;

/**
 * One span of a trace, in MLflow's span dictionary shape. Attribute values are kept exactly as the writer stored
 * them: MLflow JSON-encodes them ({@code mlflow.spanType} is {@code "\"RETRIEVER\""}), other writers may not.
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

    /** The MLflow span type, e.g. {@code RETRIEVER}, by the span's convention ({@link SpanConvention}); null when absent. */
    public String spanType() {
        return SpanConvention.spanType(attributes);
    }

    /** The span inputs as JSON text, by the span's convention ({@link SpanConvention}), or null. */
    public String inputsJson() {
        return SpanConvention.inputsJson(attributes);
    }

    /** The span outputs as JSON text, by the span's convention ({@link SpanConvention}), or null. */
    public String outputsJson() {
        return SpanConvention.outputsJson(attributes);
    }
}
