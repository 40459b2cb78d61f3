package dev.tracemonitor.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.sampling.Sampler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Small MLflow trace JSON documents for tests, and trace ids chosen by where they fall in the sampling order. */
public final class TestTraces {

    private TestTraces() {
    }

    public static byte[] chat(String traceId, String experimentId, String question, String answer) {
        ObjectNode root = skeleton(traceId, experimentId);
        root.with("data").putArray("spans").add(span(traceId, "s1", null, "CHAT_MODEL", chatIn(question), chatOut(answer)));
        return bytes(root);
    }

    public static byte[] rag(String traceId, String experimentId, String question, String answer, List<String> chunks) {
        ObjectNode root = skeleton(traceId, experimentId);
        ArrayNode spans = root.with("data").putArray("spans");
        spans.add(span(traceId, "root", null, "CHAIN", chatIn(question), chatOut(answer)));
        ArrayNode docs = Json.MAPPER.createArrayNode();
        for (int i = 0; i < chunks.size(); i++) {
            ObjectNode doc = docs.addObject().put("page_content", chunks.get(i));
            doc.putObject("metadata").put("doc_uri", "doc://" + i).put("chunk_id", "c" + i);
        }
        spans.add(span(traceId, "ret", "root", "RETRIEVER", Json.MAPPER.createObjectNode().put("query", question), docs));
        return bytes(root);
    }

    /** A trace id whose sampling position u is below {@code below} and at least {@code atLeast}. */
    public static String idWithU(double atLeast, double below, String prefix) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            double u = Sampler.u(id);
            if (u >= atLeast && u < below) {
                return id;
            }
        }
    }

    private static ObjectNode skeleton(String traceId, String experimentId) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode info = root.putObject("info");
        info.put("trace_id", traceId);
        info.putObject("trace_location").put("type", "MLFLOW_EXPERIMENT").putObject("mlflow_experiment")
                .put("experiment_id", experimentId);
        info.put("request_time", "2025-06-01T12:00:00.000Z");
        info.put("execution_duration", "1.250s");
        info.put("state", "OK");
        info.putObject("tags").put("env", "prod");
        root.putObject("data");
        return root;
    }

    private static ObjectNode span(String traceId, String id, String parent, String type, Object in, Object out) {
        ObjectNode span = Json.MAPPER.createObjectNode();
        span.put("trace_id", traceId).put("span_id", id).put("name", type.toLowerCase());
        if (parent == null) {
            span.putNull("parent_span_id");
        } else {
            span.put("parent_span_id", parent);
        }
        span.put("start_time_unix_nano", 1_748_779_200_000_000_000L).put("end_time_unix_nano", 1_748_779_201_250_000_000L);
        span.putObject("status").put("code", "STATUS_CODE_OK").put("message", "");
        ObjectNode attributes = span.putObject("attributes");
        attributes.put("mlflow.spanType", "\"" + type + "\"");
        attributes.put("mlflow.spanInputs", Json.MAPPER.valueToTree(in).toString());
        attributes.put("mlflow.spanOutputs", Json.MAPPER.valueToTree(out).toString());
        return span;
    }

    private static ObjectNode chatIn(String question) {
        ObjectNode in = Json.MAPPER.createObjectNode();
        in.putArray("messages").addObject().put("role", "user").put("content", question);
        return in;
    }

    private static ObjectNode chatOut(String answer) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", answer);
        return out;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ObjectNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
