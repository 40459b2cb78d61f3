package dev.tracemonitor.judges;

import dev.tracemonitor.model.AssessmentError;
import java.util.Map;

/**
 * One result of a judge, before it becomes an Assessment: the assessment name (e.g. {@code groundedness} or
 * {@code chunk_relevance/precision}), the span it is about (null for the whole trace), and a value or an error.
 */
public record Verdict(String assessmentName, String spanId, Object value, AssessmentError error, String rationale,
                      Map<String, String> metadata) {

    /** Metadata: the prompt tokens of the model call a verdict came from, as the endpoint reported them. */
    public static final String INPUT_TOKENS_KEY = "trace_monitor.input_tokens";
    /** Metadata: the completion tokens of that call. */
    public static final String OUTPUT_TOKENS_KEY = "trace_monitor.output_tokens";
    /** Metadata: that call's cost in US dollars, from the model's configured price. */
    public static final String COST_KEY = "trace_monitor.cost_usd";

    public Verdict {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static Verdict of(String assessmentName, String spanId, Object value, String rationale) {
        return new Verdict(assessmentName, spanId, value, null, rationale, Map.of());
    }

    public static Verdict error(String assessmentName, String spanId, String code, String message) {
        return new Verdict(assessmentName, spanId, null, new AssessmentError(code, message), null, Map.of());
    }
}
