package dev.tracemonitor.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.serde.TraceJsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tests' trace builder. A trace as an application sends it, in MLflow's JSON: a root chat span holding the request
 * and the response (chat messages in, choices out), optionally RETRIEVER spans with the documents they returned. It is
 * written as the bytes an application produces ({@link #json()}, not the service's own encoding) and, decoded from
 * them, as a {@link Trace} ({@link #build()}), so both forms always describe the same trace. Also: fixed traces of the
 * rarer shapes the table tests need, and trace ids chosen by where they fall in the sampling order.
 */
public final class TestTraces {

    /** The span id of the root span (MLflow's 16 hex digits). */
    public static final String ROOT_SPAN_ID = "a1b2c3d4e5f60001";
    public static final Instant NEW_YEAR = Instant.parse("2025-01-01T00:00:00.250Z");
    public static final Instant NEW_YEARS_EVE = Instant.parse("2024-12-31T23:59:59.999Z");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter MLFLOW_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final long DURATION_NANOS = 1_250_000_000L;

    /** A document a RETRIEVER span returned; {@code docUri} and {@code chunkId} may be null. */
    public record Doc(String content, String docUri, String chunkId) {
        public static Doc of(String content) {
            return new Doc(content, null, null);
        }
    }

    private record Retriever(String spanId, String parentSpanId, List<Doc> documents) {
    }

    private final String traceId;
    private String experimentId = "1";
    private Instant requestTime = Instant.parse("2025-06-01T12:00:00Z");
    private String request;
    private String response;
    private final List<Retriever> retrievers = new ArrayList<>();

    private TestTraces(String traceId) {
        this.traceId = traceId;
    }

    public static TestTraces trace(String traceId) {
        return new TestTraces(traceId);
    }

    /** The experiment the trace is logged to (default "1"). */
    public TestTraces experiment(String experimentId) {
        this.experimentId = experimentId;
        return this;
    }

    public TestTraces requestTime(Instant requestTime) {
        this.requestTime = requestTime;
        return this;
    }

    /** The user's message; without one the root span has no inputs. */
    public TestTraces request(String text) {
        this.request = text;
        return this;
    }

    /** The assistant's answer; without one the root span has no outputs. */
    public TestTraces response(String text) {
        this.response = text;
        return this;
    }

    /** A RETRIEVER span under the root span, queried with the request. */
    public TestTraces retriever(String spanId, Doc... documents) {
        return retriever(spanId, ROOT_SPAN_ID, documents);
    }

    /** A RETRIEVER span under {@code parentSpanId} (a nested one when that is another retriever). */
    public TestTraces retriever(String spanId, String parentSpanId, Doc... documents) {
        retrievers.add(new Retriever(spanId, parentSpanId, List.of(documents)));
        return this;
    }

    /** The trace as MLflow JSON, the way an application writes it. */
    public byte[] json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode info = root.putObject("info");
        info.put("trace_id", traceId);
        info.putObject("trace_location").put("type", "MLFLOW_EXPERIMENT").putObject("mlflow_experiment")
                .put("experiment_id", experimentId);
        info.put("request_time", MLFLOW_TIME.format(requestTime));
        info.put("execution_duration", "1.250s");
        info.put("state", "OK");
        info.putObject("tags").put("env", "prod");
        ArrayNode spans = root.putObject("data").putArray("spans");
        spans.add(span(ROOT_SPAN_ID, null, "chat", "CHAT_MODEL", request == null ? null : chatIn(request),
                response == null ? null : chatOut(response)));
        for (Retriever retriever : retrievers) {
            ArrayNode docs = JSON.createArrayNode();
            for (Doc doc : retriever.documents()) {
                ObjectNode node = docs.addObject().put("page_content", doc.content());
                ObjectNode metadata = node.putObject("metadata");
                if (doc.docUri() != null) {
                    metadata.put("doc_uri", doc.docUri());
                }
                if (doc.chunkId() != null) {
                    metadata.put("chunk_id", doc.chunkId());
                }
            }
            spans.add(span(retriever.spanId(), retriever.parentSpanId(), "retrieve", "RETRIEVER",
                    JSON.createObjectNode().put("query", request == null ? "" : request), docs));
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The trace as the service reads it: {@link #json()}, decoded. */
    public Trace build() {
        return TraceJsonCodec.decode(json());
    }

    /** A chat trace without retrieval, as MLflow JSON. */
    public static byte[] chat(String traceId, String experimentId, String question, String answer) {
        return trace(traceId).experiment(experimentId).request(question).response(answer).json();
    }

    /**
     * A chat trace whose one RETRIEVER span, id {@code ret}, returned these chunks (doc_uri {@code doc://<i>},
     * chunk_id {@code c<i>}), as MLflow JSON.
     */
    public static byte[] rag(String traceId, String experimentId, String question, String answer, List<String> chunks) {
        Doc[] docs = new Doc[chunks.size()];
        for (int i = 0; i < docs.length; i++) {
            docs[i] = new Doc(chunks.get(i), "doc://" + i, "c" + i);
        }
        return trace(traceId).experiment(experimentId).request(question).response(answer).retriever("ret", docs).json();
    }

    /** A question and its answer, nothing else. */
    public static Trace qa(String request, String response) {
        return trace("tr-qa").request(request).response(response).build();
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

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode span(String spanId, String parentSpanId, String name, String type, JsonNode in, JsonNode out) {
        long start = requestTime.getEpochSecond() * 1_000_000_000L + requestTime.getNano();
        ObjectNode span = JSON.createObjectNode();
        span.put("trace_id", traceId).put("span_id", spanId).put("name", name);
        if (parentSpanId == null) {
            span.putNull("parent_span_id");
        } else {
            span.put("parent_span_id", parentSpanId);
        }
        span.put("start_time_unix_nano", start).put("end_time_unix_nano", start + DURATION_NANOS);
        span.putObject("status").put("code", "STATUS_CODE_OK").put("message", "");
        ObjectNode attributes = span.putObject("attributes");
        attributes.put(Span.SPAN_TYPE, "\"" + type + "\"");
        if (in != null) {
            attributes.put(Span.SPAN_INPUTS, in.toString());
        }
        if (out != null) {
            attributes.put(Span.SPAN_OUTPUTS, out.toString());
        }
        return span;
    }

    private static ObjectNode chatIn(String question) {
        ObjectNode in = JSON.createObjectNode();
        in.putArray("messages").addObject().put("role", "user").put("content", question);
        return in;
    }

    private static ObjectNode chatOut(String answer) {
        ObjectNode out = JSON.createObjectNode();
        out.putArray("choices").addObject().putObject("message").put("role", "assistant").put("content", answer);
        return out;
    }

    // ---- fixed traces of rarer shapes, for the tests of the Delta tables

    /**
     * A RAG chat trace built as the decoder would: chat input/output on an AGENT root, a failed RETRIEVER child with
     * an exception event, and three kinds of feedback (a verdict, a number on a span, an error).
     */
    public static Trace ragChat(String traceId, Instant requestTime) {
        Span root = new Span(traceId, "root-1", null, "chat_agent",
                1_735_689_600_250_000_000L, 1_735_689_601_750_000_000L,
                new SpanStatus("STATUS_CODE_OK", ""),
                List.of(),
                Map.of(Span.SPAN_TYPE, "\"AGENT\"",
                        Span.SPAN_INPUTS, "{\"messages\":[{\"role\":\"system\",\"content\":\"be nice\"},"
                                + "{\"role\":\"user\",\"content\":\"What is Delta Lake?\"}]}",
                        Span.SPAN_OUTPUTS, "{\"choices\":[{\"message\":{\"role\":\"assistant\","
                                + "\"content\":\"An open table format.\"}}]}",
                        "mlflow.traceRequestId", "\"" + traceId + "\""));
        Span retriever = new Span(traceId, "retr-1", "root-1", "vector_search",
                1_735_689_600_300_000_000L, 1_735_689_600_400_000_000L,
                new SpanStatus("STATUS_CODE_ERROR", "partial results"),
                List.of(new SpanEvent("exception", 1_735_689_600_350_000_000L,
                        Map.of("exception.message", "\"timeout on shard 2\""))),
                Map.of(Span.SPAN_TYPE, "\"RETRIEVER\"",
                        Span.SPAN_INPUTS, "{\"query\":\"Delta Lake\"}",
                        Span.SPAN_OUTPUTS, "[{\"page_content\":\"Delta Lake is a table format\","
                                + "\"metadata\":{\"doc_uri\":\"https://docs/delta\",\"chunk_id\":\"c1\"},\"id\":\"d1\"}]"));
        long created = requestTime.toEpochMilli() + 5_000;
        List<Assessment> assessments = List.of(
                new Assessment(Assessment.deterministicId(traceId, "relevance_to_query", null), "relevance_to_query",
                        traceId, null, new AssessmentSource(AssessmentSource.LLM_JUDGE, "gpt-judge"), created,
                        created + 1, Feedback.of("yes"), "The answer addresses the question.",
                        Map.of("judge_model", "gpt-4o-mini")),
                new Assessment(Assessment.deterministicId(traceId, "chunk_relevance/precision", "retr-1"),
                        "chunk_relevance/precision", traceId, "retr-1",
                        new AssessmentSource(AssessmentSource.CODE, "local"), created, created, Feedback.of(0.75),
                        null, Map.of()),
                new Assessment(Assessment.deterministicId(traceId, "safety", null), "safety", traceId, null,
                        new AssessmentSource(AssessmentSource.LLM_JUDGE, "gpt-judge"), created, created,
                        Feedback.error("TIMEOUT", "judge did not answer within 10s"), null, Map.of()));
        TraceInfo info = new TraceInfo(traceId, "client-" + traceId, TraceLocation.experiment("1234"),
                requestTime.toEpochMilli(), 1500L, "OK", "What is Delta Lake?", "An open table format.",
                Map.of("mlflow.trace_schema.version", "3", "mlflow.user", "alice"), Map.of("env", "prod"),
                assessments);
        return new Trace(info, List.of(root, retriever));
    }

    /** A trace with only what is required: no spans, no assessments, no location, nulls everywhere else. */
    public static Trace bare(String traceId, Instant requestTime) {
        TraceInfo info = new TraceInfo(traceId, null, null, requestTime.toEpochMilli(), null, null,
                "preview request", null, null, null, null);
        return new Trace(info, List.of());
    }

    /** A plain (non-chat) trace whose single assessment has no source, a boolean value and no timestamps. */
    public static Trace plainWithOddFeedback(String traceId, Instant requestTime) {
        Span root = new Span(traceId, "s1", "", "answer", 10L, 20L, null, List.of(),
                Map.of(Span.SPAN_INPUTS, "{\"question\":\"2+2?\"}", Span.SPAN_OUTPUTS, "\"4\""));
        Assessment assessment = new Assessment("a-custom", "is_correct", traceId, null, null, 0L, 0L,
                Feedback.of(Boolean.TRUE), null, null);
        TraceInfo info = new TraceInfo(traceId, null, new TraceLocation("MLFLOW_EXPERIMENT", null),
                requestTime.toEpochMilli(), 7L, "ERROR", null, null, Map.of(), Map.of(), List.of(assessment));
        return new Trace(info, List.of(root));
    }
}
