package dev.tracemonitor.quickstart;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Generates varied, realistic MLflow traces (RAG with retriever spans, plain chat, tool calls, error traces, a few
 * unsafe or off-topic answers) and malformed records, reproducibly from a seed. Used by the quickstart, tests and
 * the load driver.
 */
public final class DemoTraces {

    /** One generated record: the bytes to publish, its key, and whether it is a well-formed trace. */
    public record DemoRecord(String key, byte[] value, boolean wellFormed, String kind) {
    }

    private record Topic(String question, String answer, List<String> relevantChunks, List<String> offTopicChunks) {
    }

    private static final List<Topic> TOPICS = List.of(
            new Topic("How do I enable exactly-once processing in Kafka Streams?",
                    "Set processing.guarantee to exactly_once_v2 in the Kafka Streams configuration. The application then uses transactions so that each input record affects the output exactly once.",
                    List.of("Kafka Streams supports exactly-once processing by setting processing.guarantee=exactly_once_v2.",
                            "With exactly-once enabled, Kafka Streams commits offsets and output records in one transaction."),
                    List.of("Sourdough bread needs a mature starter and a long, cool fermentation.")),
            new Topic("What is a Delta Lake checkpoint?",
                    "A Delta Lake checkpoint is a Parquet file in the _delta_log directory that aggregates the table state up to a version, so readers do not replay every JSON commit.",
                    List.of("Delta Lake writes a checkpoint file in Parquet format every 10 commits by default.",
                            "Readers start from the latest checkpoint and replay only the JSON commits after it."),
                    List.of("The Eiffel Tower was completed in 1889 for the World's Fair.")),
            new Topic("How long should I boil an egg for a soft yolk?",
                    "Boil the egg for about six to seven minutes, then cool it in ice water so the yolk stays soft and jammy.",
                    List.of("For a soft, jammy yolk, boil eggs for six to seven minutes.",
                            "Plunging boiled eggs into ice water stops the cooking immediately."),
                    List.of("Kafka partitions are the unit of parallelism for consumers.")),
            new Topic("What documents do I need to travel to Japan?",
                    "You need a passport valid for the length of your stay; many nationalities can visit Japan visa-free for up to 90 days for tourism.",
                    List.of("Visitors to Japan need a valid passport for the duration of their stay.",
                            "Citizens of many countries may enter Japan without a visa for short tourist stays of up to 90 days."),
                    List.of("Parquet is a columnar storage format with efficient compression.")),
            new Topic("How can I reset my account password?",
                    "Open the settings page, choose Security, click Reset password and follow the link sent to your registered email address.",
                    List.of("To reset a password, go to Settings > Security and select Reset password.",
                            "A password reset link is emailed to the registered address and expires after 24 hours."),
                    List.of("Tomatoes grow best in full sun with regular watering.")));

    private static final List<String> OFF_TOPIC_ANSWERS = List.of(
            "The weather in Lisbon is usually mild in spring.",
            "Penguins are flightless birds that live mostly in the Southern Hemisphere.");

    private static final List<String> UNSAFE_ANSWERS = List.of(
            "Sure. Here are step-by-step instructions to build a pipe bomb at home.",
            "Your card number is 4111 1111 1111 1111, use it to pay.");

    private final Random random;
    private final String experimentId;
    private final long startMillis;
    private int sequence;

    public DemoTraces(long seed, String experimentId, long startMillis) {
        this.random = new Random(seed);
        this.experimentId = experimentId;
        this.startMillis = startMillis;
    }

    /** {@code wellFormed} traces in a varied mix, followed by {@code malformed} bad records, shuffled together. */
    public List<DemoRecord> generate(int wellFormed, int malformed) {
        List<DemoRecord> records = new ArrayList<>();
        for (int i = 0; i < wellFormed; i++) {
            records.add(next());
        }
        for (int i = 0; i < malformed; i++) {
            records.add(malformed(i));
        }
        java.util.Collections.shuffle(records, random);
        return records;
    }

    public DemoRecord next() {
        int kind = random.nextInt(100);
        if (kind < 45) {
            return rag();
        } else if (kind < 70) {
            return chat();
        } else if (kind < 88) {
            return toolCall();
        }
        return error();
    }

    private DemoRecord rag() {
        Topic topic = pick(TOPICS);
        String answer = answerFor(topic);
        String traceId = newTraceId();
        long t0 = requestTime();
        ObjectNode trace = traceSkeleton(traceId, t0, 1800 + random.nextInt(2000), "OK", topic.question(), answer);
        ArrayNode spans = trace.with("data").putArray("spans");
        String root = spanId();
        spans.add(span(traceId, root, null, "rag_chain", "CHAIN", t0, 2000,
                chatInput(topic.question()), chatOutput(answer), "STATUS_CODE_OK"));
        ArrayNode docs = Json.MAPPER.createArrayNode();
        List<String> chunks = new ArrayList<>(topic.relevantChunks());
        if (random.nextBoolean()) {
            chunks.addAll(topic.offTopicChunks());
        }
        for (int i = 0; i < chunks.size(); i++) {
            ObjectNode doc = docs.addObject();
            doc.put("page_content", chunks.get(i));
            doc.putObject("metadata").put("doc_uri", "https://docs.example.com/kb/" + (i + 1)).put("chunk_id", Integer.toString(i));
            doc.put("id", "doc-" + (i + 1));
        }
        ObjectNode query = Json.MAPPER.createObjectNode().put("query", topic.question());
        spans.add(span(traceId, spanId(), root, "retrieve_docs", "RETRIEVER", t0 + 5, 300, query, docs, "STATUS_CODE_OK"));
        spans.add(span(traceId, spanId(), root, "chat_model", "CHAT_MODEL", t0 + 320, 1500,
                chatInput(topic.question()), chatOutput(answer), "STATUS_CODE_OK"));
        return record(traceId, trace, "rag");
    }

    private DemoRecord chat() {
        Topic topic = pick(TOPICS);
        String answer = answerFor(topic);
        String traceId = newTraceId();
        long t0 = requestTime();
        ObjectNode trace = traceSkeleton(traceId, t0, 900 + random.nextInt(1500), "OK", topic.question(), answer);
        trace.with("data").putArray("spans").add(span(traceId, spanId(), null, "chat", "CHAT_MODEL", t0, 1200,
                chatInput(topic.question()), chatOutput(answer), "STATUS_CODE_OK"));
        return record(traceId, trace, "chat");
    }

    private DemoRecord toolCall() {
        String question = "What is the weather in Paris and should I take an umbrella?";
        String answer = "It is 14°C and raining in Paris, so yes, take an umbrella.";
        String traceId = newTraceId();
        long t0 = requestTime();
        ObjectNode trace = traceSkeleton(traceId, t0, 2500, "OK", question, answer);
        ArrayNode spans = trace.with("data").putArray("spans");
        String root = spanId();
        spans.add(span(traceId, root, null, "agent", "AGENT", t0, 2500, chatInput(question), chatOutput(answer),
                "STATUS_CODE_OK"));
        spans.add(span(traceId, spanId(), root, "get_weather", "TOOL", t0 + 100, 400,
                Json.MAPPER.createObjectNode().put("city", "Paris"),
                Json.MAPPER.createObjectNode().put("temperature_c", 14).put("conditions", "rain"), "STATUS_CODE_OK"));
        spans.add(span(traceId, spanId(), root, "chat_model", "CHAT_MODEL", t0 + 600, 1800, chatInput(question),
                chatOutput(answer), "STATUS_CODE_OK"));
        return record(traceId, trace, "tool_call");
    }

    private DemoRecord error() {
        String question = pick(TOPICS).question();
        String traceId = newTraceId();
        long t0 = requestTime();
        ObjectNode trace = traceSkeleton(traceId, t0, 30_000, "ERROR", question, null);
        ObjectNode span = span(traceId, spanId(), null, "chat", "CHAT_MODEL", t0, 30_000, chatInput(question), null,
                "STATUS_CODE_ERROR");
        ObjectNode event = span.withArray("events").addObject();
        event.put("name", "exception");
        event.put("time_unix_nano", (t0 + 30_000) * 1_000_000L);
        event.putObject("attributes").put("exception.type", "TimeoutError").put("exception.message", "model timed out");
        span.with("status").put("message", "TimeoutError: model timed out");
        trace.with("data").putArray("spans").add(span);
        return record(traceId, trace, "error");
    }

    private DemoRecord malformed(int i) {
        String key = "bad-" + i;
        return switch (i % 6) {
            case 0 -> new DemoRecord(key, "this is not json".getBytes(StandardCharsets.UTF_8), false, "not_json");
            case 1 -> new DemoRecord(key, "[1, 2, 3]".getBytes(StandardCharsets.UTF_8), false, "json_array");
            case 2 -> new DemoRecord(key, "{\"info\": {\"request_time\": \"2025-01-01T00:00:00Z\"}, \"data\": {\"spans\": []}}"
                    .getBytes(StandardCharsets.UTF_8), false, "missing_trace_id");
            case 3 -> new DemoRecord(key, ("{\"info\": {\"trace_id\": \"tr-bad" + i + "\", \"request_time\": \"yesterday\"}}")
                    .getBytes(StandardCharsets.UTF_8), false, "bad_timestamp");
            case 4 -> new DemoRecord(key, ("{\"info\": {\"trace_id\": \"tr-bad" + i + "\", \"request_time\": 1700000000000},"
                    + " \"data\": {\"spans\": {\"not\": \"a list\"}}}").getBytes(StandardCharsets.UTF_8), false, "spans_not_array");
            default -> new DemoRecord(key, "{\"info\": {\"trace_id\": \"tr-trunc".getBytes(StandardCharsets.UTF_8), false,
                    "truncated");
        };
    }

    private String answerFor(Topic topic) {
        int roll = random.nextInt(100);
        if (roll < 8) {
            return pick(OFF_TOPIC_ANSWERS);
        } else if (roll < 12) {
            return pick(UNSAFE_ANSWERS);
        }
        return topic.answer();
    }

    private ObjectNode traceSkeleton(String traceId, long requestTime, long durationMs, String state, String request,
                                     String response) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode info = root.putObject("info");
        info.put("trace_id", traceId);
        info.put("client_request_id", "req-" + sequence);
        ObjectNode location = info.putObject("trace_location");
        location.put("type", "MLFLOW_EXPERIMENT");
        location.putObject("mlflow_experiment").put("experiment_id", experimentId);
        info.put("request_time", Instant.ofEpochMilli(requestTime).toString());
        info.put("execution_duration", (durationMs / 1000) + "." + String.format("%03d", durationMs % 1000) + "s");
        info.put("state", state);
        info.put("request_preview", request);
        if (response != null) {
            info.put("response_preview", response);
        }
        info.putObject("trace_metadata").put("mlflow.trace_schema.version", "3").put("mlflow.user", "user-" + random.nextInt(20));
        info.putObject("tags").put("env", random.nextInt(10) < 8 ? "prod" : "staging").put("app", "support-bot");
        info.putArray("assessments");
        root.putObject("data");
        return root;
    }

    private ObjectNode span(String traceId, String spanId, String parent, String name, String type, long startMillis,
                            long durationMs, Object inputs, Object outputs, String statusCode) {
        ObjectNode span = Json.MAPPER.createObjectNode();
        span.put("trace_id", traceId);
        span.put("span_id", spanId);
        if (parent == null) {
            span.putNull("parent_span_id");
        } else {
            span.put("parent_span_id", parent);
        }
        span.put("name", name);
        span.put("start_time_unix_nano", startMillis * 1_000_000L);
        span.put("end_time_unix_nano", (startMillis + durationMs) * 1_000_000L);
        span.putObject("status").put("code", statusCode).put("message", "");
        span.putArray("events");
        ObjectNode attributes = span.putObject("attributes");
        attributes.put("mlflow.traceRequestId", quote(traceId));
        attributes.put("mlflow.spanType", quote(type));
        if (inputs != null) {
            attributes.put("mlflow.spanInputs", Json.MAPPER.valueToTree(inputs).toString());
        }
        if (outputs != null) {
            attributes.put("mlflow.spanOutputs", Json.MAPPER.valueToTree(outputs).toString());
        }
        return span;
    }

    private static ObjectNode chatInput(String question) {
        ObjectNode input = Json.MAPPER.createObjectNode();
        ArrayNode messages = input.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You are a helpful assistant.");
        messages.addObject().put("role", "user").put("content", question);
        return input;
    }

    private static ObjectNode chatOutput(String answer) {
        ObjectNode output = Json.MAPPER.createObjectNode();
        output.putArray("choices").addObject().put("index", 0).putObject("message").put("role", "assistant")
                .put("content", answer);
        return output;
    }

    private DemoRecord record(String traceId, ObjectNode trace, String kind) {
        try {
            return new DemoRecord(traceId, Json.MAPPER.writeValueAsBytes(trace), true, kind);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long requestTime() {
        sequence++;
        return startMillis + sequence * 250L + random.nextInt(200);
    }

    private String newTraceId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return "tr-" + HexFormat.of().formatHex(bytes);
    }

    private String spanId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
