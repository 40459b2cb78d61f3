package dev.tracemonitor.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The tokens a trace used, whichever convention its instrumentation wrote them in, so that they can be charted next to
 * quality. Read in this order, the first that has any count winning:
 * <ol>
 *   <li>MLflow's trace-level total, {@code trace_metadata["mlflow.trace.tokenUsage"]}
 *       ({@code {"input_tokens", "output_tokens", "total_tokens"}});</li>
 *   <li>the sum over spans of MLflow's per-span {@code mlflow.chat.tokenUsage} (the same keys), which is how MLflow
 *       itself computes the trace-level total;</li>
 *   <li>the sum over spans of OpenTelemetry GenAI's {@code gen_ai.usage.input_tokens} / {@code output_tokens} (and
 *       the deprecated {@code gen_ai.usage.prompt_tokens} / {@code completion_tokens});</li>
 *   <li>the sum over spans of OpenInference's {@code llm.token_count.prompt} / {@code completion} / {@code total}.</li>
 * </ol>
 * A count no convention gives is null; a total that is missing is the sum of input and output when both are known.
 * Within a span convention only the outermost spans that carry counts are summed, as MLflow's own
 * {@code aggregate_usage_from_spans} does: instrumentation such as pydantic-ai repeats its model call's usage on the
 * agent span around it, and summing both would count every token twice.
 */
public record TokenCounts(Long input, Long output, Long total) {

    public static final String TRACE_TOKEN_USAGE = "mlflow.trace.tokenUsage";
    public static final String SPAN_TOKEN_USAGE = "mlflow.chat.tokenUsage";
    static final TokenCounts NONE = new TokenCounts(null, null, null);

    private static final List<Convention> SPAN_CONVENTIONS = List.of(
            new Convention(List.of("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
                    List.of("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"), List.of()),
            new Convention(List.of("llm.token_count.prompt"), List.of("llm.token_count.completion"),
                    List.of("llm.token_count.total")));

    /** The counts of a trace, or all null when it records none. */
    public static TokenCounts of(Trace trace) {
        TokenCounts counts = fromUsageJson(trace.info().traceMetadata().get(TRACE_TOKEN_USAGE));
        if (counts.known()) {
            return counts;
        }
        Map<String, String> parents = parents(trace.spans());
        counts = outermost(trace.spans(), parents,
                span -> fromUsageJson(span.attributes().get(SPAN_TOKEN_USAGE)));
        if (counts.known()) {
            return counts;
        }
        for (Convention convention : SPAN_CONVENTIONS) {
            counts = outermost(trace.spans(), parents, span -> convention.read(span.attributes()));
            if (counts.known()) {
                return counts;
            }
        }
        return NONE;
    }

    /**
     * The sum of the counts of the spans that carry some and have no ancestor in the trace that carries any. A span
     * is its own ancestor never (ids may repeat, as in traces whose ids were redacted), and a cycle of parent links
     * ends the walk.
     */
    private static TokenCounts outermost(List<Span> spans, Map<String, String> parents,
                                         Function<Span, TokenCounts> reading) {
        List<Map.Entry<Span, TokenCounts>> carried = new ArrayList<>();
        Set<String> carrying = new HashSet<>();
        for (Span span : spans) {
            TokenCounts counts = reading.apply(span);
            if (counts.known()) {
                carried.add(Map.entry(span, counts));
                carrying.add(span.spanId());
            }
        }
        TokenCounts sum = NONE;
        for (Map.Entry<Span, TokenCounts> span : carried) {
            if (!anAncestorCarries(span.getKey(), parents, carrying)) {
                sum = sum.plus(span.getValue());
            }
        }
        return sum;
    }

    /** Each span id's parent id (the first span of a repeated id wins). */
    private static Map<String, String> parents(List<Span> spans) {
        Map<String, String> parents = new HashMap<>();
        for (Span span : spans) {
            if (span.parentSpanId() != null) {
                parents.putIfAbsent(span.spanId(), span.parentSpanId());
            }
        }
        return parents;
    }

    private static boolean anAncestorCarries(Span span, Map<String, String> parents, Set<String> carrying) {
        Set<String> seen = new HashSet<>();
        seen.add(span.spanId());
        for (String parent = span.parentSpanId(); parent != null && seen.add(parent); parent = parents.get(parent)) {
            if (carrying.contains(parent)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any count is known. */
    public boolean known() {
        return input != null || output != null || total != null;
    }

    private TokenCounts withTotal() {
        return total == null && input != null && output != null ? new TokenCounts(input, output, input + output) : this;
    }

    private TokenCounts plus(TokenCounts other) {
        return new TokenCounts(sum(input, other.input), sum(output, other.output), sum(total, other.withTotal().total))
                .withTotal();
    }

    private static Long sum(Long a, Long b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : Long.valueOf(a + b);
    }

    /** MLflow's usage JSON, {@code {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}}. */
    private static TokenCounts fromUsageJson(String json) {
        JsonNode usage = Json.parseOrNull(json);
        if (usage != null && usage.isTextual()) {
            usage = Json.parseOrNull(usage.textValue());
        }
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        return new TokenCounts(count(usage.get("input_tokens")), count(usage.get("output_tokens")),
                count(usage.get("total_tokens"))).withTotal();
    }

    private static Long count(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return count(Json.parseOrNull(node.textValue()));
        }
        return node.canConvertToExactIntegral() && node.canConvertToLong() && node.longValue() >= 0
                ? node.longValue() : null;
    }

    /** One span convention: the attribute keys of each count, the first present winning. */
    private record Convention(List<String> input, List<String> output, List<String> total) {

        TokenCounts read(Map<String, String> attributes) {
            return new TokenCounts(first(attributes, input), first(attributes, output), first(attributes, total))
                    .withTotal();
        }

        private static Long first(Map<String, String> attributes, List<String> keys) {
            for (String key : keys) {
                Long value = count(Json.parseOrNull(attributes.get(key)));
                if (value != null) {
                    return value;
                }
            }
            return null;
        }
    }
}
