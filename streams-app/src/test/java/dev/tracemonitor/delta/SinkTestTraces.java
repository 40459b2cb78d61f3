package dev.tracemonitor.delta;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Traces of varied shapes for the sink and Delta tests. */
public final class SinkTestTraces {

    public static final Instant NEW_YEAR = Instant.parse("2025-01-01T00:00:00.250Z");
    public static final Instant NEW_YEARS_EVE = Instant.parse("2024-12-31T23:59:59.999Z");

    private SinkTestTraces() {
    }

    /** A RAG chat trace: chat input/output, a retriever child span with an event, and three kinds of feedback. */
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

    /** A small chat trace for volume tests. */
    public static Trace simple(String traceId, String experimentId, Instant requestTime) {
        Span root = new Span(traceId, "root", null, "chat", 1L, 2L, new SpanStatus("STATUS_CODE_OK", null), List.of(),
                Map.of(Span.SPAN_TYPE, "\"CHAT_MODEL\"",
                        Span.SPAN_INPUTS, "{\"messages\":[{\"role\":\"user\",\"content\":\"question " + traceId + "\"}]}",
                        Span.SPAN_OUTPUTS, "{\"choices\":[{\"message\":{\"content\":\"answer " + traceId + "\"}}]}"));
        TraceInfo info = new TraceInfo(traceId, null, TraceLocation.experiment(experimentId),
                requestTime.toEpochMilli(), 42L, "OK", null, null, Map.of(), Map.of(), List.of());
        return new Trace(info, List.of(root));
    }
}
