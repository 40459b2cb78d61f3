package dev.tracemonitor.model;

import java.util.List;
import java.util.Map;

/**
 * One span of a trace, in MLflow's span dictionary shape. Attribute values are kept exactly as the writer stored
 * them: MLflow JSON-encodes them ({@code mlflow.spanType} is {@code "\"RETRIEVER\""}), other writers may not.
 * {@code reading} is what the span's convention says its type, inputs and outputs are ({@link SpanConvention#read}):
 * always derived from the attributes, once, when the span is built (a reading passed in is ignored; use the
 * constructor without it), because judges, filters and the table read it for every span of every trace.
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
        Map<String, String> attributes,
        SpanConvention.Reading reading) {

    public static final String SPAN_TYPE = "mlflow.spanType";
    public static final String SPAN_INPUTS = "mlflow.spanInputs";
    public static final String SPAN_OUTPUTS = "mlflow.spanOutputs";

    public Span {
        events = events == null ? List.of() : List.copyOf(events);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        reading = SpanConvention.read(attributes);
    }

    public Span(String traceId, String spanId, String parentSpanId, String name, long startTimeUnixNano,
                long endTimeUnixNano, SpanStatus status, List<SpanEvent> events, Map<String, String> attributes) {
        this(traceId, spanId, parentSpanId, name, startTimeUnixNano, endTimeUnixNano, status, events, attributes, null);
    }

    public boolean isRoot() {
        return parentSpanId == null || parentSpanId.isEmpty();
    }

    /** The MLflow span type, e.g. {@code RETRIEVER}, by the span's convention; null when absent. */
    public String spanType() {
        return reading.spanType();
    }

    /** The span inputs as JSON text, by the span's convention, or null. */
    public String inputsJson() {
        return reading.inputsJson();
    }

    /** The span outputs as JSON text, by the span's convention, or null. */
    public String outputsJson() {
        return reading.outputsJson();
    }
}
