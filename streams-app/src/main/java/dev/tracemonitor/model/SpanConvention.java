package dev.tracemonitor.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attribute conventions a span's type, inputs and outputs are read by, in order of precedence: one mapping per
 * convention. MLflow's own attributes win; a span written by other instrumentation (what MLflow stores for traces it
 * ingests over OTLP) is read by the convention whose attributes it carries.
 *
 * <table>
 *   <caption>Where each convention keeps what the judges read</caption>
 *   <tr><th>convention</th><th>type</th><th>inputs</th><th>outputs</th></tr>
 *   <tr><td>MLflow</td><td>{@code mlflow.spanType}</td><td>{@code mlflow.spanInputs}</td>
 *       <td>{@code mlflow.spanOutputs}</td></tr>
 *   <tr><td>OpenInference</td><td>{@code openinference.span.kind}</td>
 *       <td>{@code input.value}, else {@code llm.input_messages.N.message.{role,content}}</td>
 *       <td>{@code output.value}, else {@code llm.output_messages.N.message.*}; a retriever's
 *       {@code retrieval.documents.N.document.{content,id,score,metadata}}</td></tr>
 *   <tr><td>OpenTelemetry GenAI</td><td>{@code gen_ai.operation.name}</td>
 *       <td>{@code gen_ai.input.messages}, else the deprecated {@code gen_ai.prompt}</td>
 *       <td>{@code gen_ai.output.messages}, else the deprecated {@code gen_ai.completion}</td></tr>
 *   <tr><td>Vercel AI SDK</td><td>{@code ai.operationId}</td><td>{@code ai.prompt.messages}, {@code ai.prompt}</td>
 *       <td>{@code ai.response.text}</td></tr>
 * </table>
 *
 * Attribute values may be JSON-encoded, as MLflow stores every attribute ({@code "\"LLM\""}), or raw, as other
 * writers do ({@code LLM}); both are read.
 */
public enum SpanConvention {
    MLFLOW("mlflow.spanType", "mlflow.spanInputs", "mlflow.spanOutputs", null, null),
    OPENINFERENCE("openinference.span.kind", "input.value", "output.value", "llm.input_messages", "llm.output_messages"),
    OTEL_GENAI("gen_ai.operation.name", "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.prompt",
            "gen_ai.completion"),
    VERCEL_AI("ai.operationId", "ai.prompt.messages", "ai.response.text", "ai.prompt", null);

    private static final Pattern INDEXED = Pattern.compile("\\.(\\d+)\\.(.+)");

    private final String typeKey;
    private final String inputsKey;
    private final String outputsKey;
    private final String inputsFallbackKey;
    private final String outputsFallbackKey;

    SpanConvention(String typeKey, String inputsKey, String outputsKey, String inputsFallbackKey,
                   String outputsFallbackKey) {
        this.typeKey = typeKey;
        this.inputsKey = inputsKey;
        this.outputsKey = outputsKey;
        this.inputsFallbackKey = inputsFallbackKey;
        this.outputsFallbackKey = outputsFallbackKey;
    }

    /**
     * The span's type, inputs and outputs, each by the first convention that has it: the reading a {@link Span} keeps,
     * made once when the span is built.
     */
    public static Reading read(Map<String, String> attributes) {
        return new Reading(spanType(attributes), inputsJson(attributes), outputsJson(attributes));
    }

    /**
     * What the judges and the table read from a span's attributes: the MLflow span type (LLM, CHAT_MODEL, RETRIEVER,
     * TOOL, AGENT, CHAIN, EMBEDDING, RERANKER…) and the inputs and outputs as JSON text, each null when absent.
     */
    public record Reading(String spanType, String inputsJson, String outputsJson) {
    }

    private static String spanType(Map<String, String> attributes) {
        for (SpanConvention convention : values()) {
            String kind = Json.unquote(attributes.get(convention.typeKey));
            if (kind != null && !kind.isBlank()) {
                return convention.mlflowType(kind);
            }
        }
        return null;
    }

    private static String inputsJson(Map<String, String> attributes) {
        for (SpanConvention convention : values()) {
            String json = convention.payload(attributes, convention.inputsKey, convention.inputsFallbackKey);
            if (json != null) {
                return json;
            }
        }
        return null;
    }

    private static String outputsJson(Map<String, String> attributes) {
        for (SpanConvention convention : values()) {
            String json = convention.payload(attributes, convention.outputsKey, convention.outputsFallbackKey);
            if (json != null) {
                return json;
            }
        }
        return null;
    }

    private String mlflowType(String kind) {
        String upper = kind.toUpperCase(Locale.ROOT);
        return switch (this) {
            case MLFLOW, OPENINFERENCE -> upper;
            case OTEL_GENAI -> switch (upper) {
                case "CHAT" -> "CHAT_MODEL";
                case "TEXT_COMPLETION", "GENERATE_CONTENT" -> "LLM";
                case "EMBEDDINGS" -> "EMBEDDING";
                case "EXECUTE_TOOL" -> "TOOL";
                case "INVOKE_AGENT", "CREATE_AGENT" -> "AGENT";
                default -> "UNKNOWN";
            };
            case VERCEL_AI -> upper.contains("EMBED") ? "EMBEDDING"
                    : upper.contains("TOOL") ? "TOOL" : upper.startsWith("AI.") ? "LLM" : "UNKNOWN";
        };
    }

    /**
     * The payload under {@code key} as JSON text; else, for OpenInference messages flattened into indexed attributes
     * ({@code llm.input_messages.0.message.role}), the messages rebuilt as a JSON list; else the value under
     * {@code fallbackKey}.
     */
    private String payload(Map<String, String> attributes, String key, String fallbackKey) {
        String value = attributes.get(key);
        if (value != null) {
            return asJson(this == MLFLOW ? value : decoded(value));
        }
        if (fallbackKey == null) {
            return null;
        }
        if (this == OPENINFERENCE) {
            return flattenedMessages(attributes, fallbackKey);
        }
        String fallback = attributes.get(fallbackKey);
        return fallback == null ? null : asJson(decoded(fallback));
    }

    /** An attribute's value without MLflow's JSON encoding when it has one: {@code "\"hi\""} → {@code hi}. */
    private static String decoded(String value) {
        JsonNode node = Json.parseOrNull(value);
        return node != null && node.isTextual() ? node.textValue() : value;
    }

    /** Text that is JSON stays as it is; any other text becomes a JSON string. */
    private static String asJson(String text) {
        if (Json.parseOrNull(text) != null) {
            return text;
        }
        return Json.MAPPER.getNodeFactory().textNode(text).toString();
    }

    /** {@code prefix.N.message.role} / {@code .content} attributes as {@code [{"role", "content"}, …]} in N order. */
    private static String flattenedMessages(Map<String, String> attributes, String prefix) {
        Map<Integer, ObjectNode> messages = new TreeMap<>();
        for (Map.Entry<String, String> entry : attributes.entrySet()) {
            if (!entry.getKey().startsWith(prefix + ".")) {
                continue;
            }
            Matcher m = INDEXED.matcher(entry.getKey().substring(prefix.length()));
            if (!m.matches()) {
                continue;
            }
            String field = m.group(2);
            if (field.equals("message.role") || field.equals("message.content")) {
                messages.computeIfAbsent(Integer.parseInt(m.group(1)), i -> Json.MAPPER.createObjectNode())
                        .put(field.substring("message.".length()), decoded(entry.getValue()));
            }
        }
        if (messages.isEmpty()) {
            return null;
        }
        ArrayNode list = Json.MAPPER.createArrayNode();
        messages.values().forEach(list::add);
        return list.toString();
    }
}
