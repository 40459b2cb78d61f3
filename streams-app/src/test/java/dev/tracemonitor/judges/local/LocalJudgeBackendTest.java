package dev.tracemonitor.judges.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalJudgeBackendTest {

    private static LocalJudgeBackend backend;
    private static Trace ragTrace;

    @BeforeAll
    static void setUp() throws Exception {
        backend = new LocalJudgeBackend();
        try (InputStream json = LocalJudgeBackendTest.class.getResourceAsStream("/judges-rag-trace.json")) {
            ragTrace = TraceJsonCodec.decode(json.readAllBytes());
        }
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void everyBuiltinJudgeIsACodeSourceNamedAfterTheJudge() {
        for (BuiltinJudge builtin : BuiltinJudge.values()) {
            String name = builtin.wireName();
            Judge judge = backend.builtin(builtin);

            assertThat(judge.name()).isEqualTo(name);
            assertThat(judge.source()).isEqualTo(new AssessmentSource("CODE", "trace-monitor/local/" + name));
        }
    }

    @Test
    void guidelinesProduceABackendUnsupportedErrorNotAVerdict() throws Exception {
        Judge judge = backend.guidelines("tone", List.of("The response must be polite."));

        JudgeOutcome outcome = judge.evaluate(ragTrace);

        assertThat(judge.source()).isEqualTo(new AssessmentSource("CODE", "trace-monitor/local/tone"));
        assertThat(outcome.applicable()).isTrue();
        assertThat(outcome.verdicts()).singleElement().satisfies(verdict -> {
            assertThat(verdict.assessmentName()).isEqualTo("tone");
            assertThat(verdict.value()).isNull();
            assertThat(verdict.error().errorCode()).isEqualTo("BACKEND_UNSUPPORTED");
            assertThat(verdict.error().errorMessage()).isEqualTo("guidelines need an LLM backend (trace-monitor.judge.backend=llm)");
        });
    }

    @Test
    void aJudgeThatNamesAModelProducesABackendUnsupportedErrorNotAVerdict() throws Exception {
        for (BuiltinJudge builtin : BuiltinJudge.values()) {
            String name = builtin.wireName();
            Judge judge = backend.builtin(builtin, "judge-large");

            JudgeOutcome outcome = judge.evaluate(ragTrace);

            assertThat(judge.name()).isEqualTo(name);
            assertThat(judge.source()).isEqualTo(new AssessmentSource("CODE", "trace-monitor/local/" + name));
            assertThat(outcome.verdicts()).singleElement().satisfies(verdict -> {
                assertThat(verdict.assessmentName()).isEqualTo(name);
                assertThat(verdict.value()).isNull();
                assertThat(verdict.error().errorCode()).isEqualTo("BACKEND_UNSUPPORTED");
                assertThat(verdict.error().errorMessage()).isEqualTo("judge model \"judge-large\" needs an LLM backend"
                        + " (trace-monitor.judge.backend=llm); the local backend has no models to choose from");
            });
        }
        assertThat(backend.guidelines("tone", List.of("Be polite."), "judge-large").evaluate(ragTrace).verdicts())
                .singleElement().satisfies(verdict -> assertThat(verdict.error().errorMessage())
                        .isEqualTo("guidelines need an LLM backend (trace-monitor.judge.backend=llm)"));
    }

    @Test
    void judgesAnMlflowJsonTraceAndEveryVerdictHasItsOwnAssessmentId() throws Exception {
        List<Verdict> verdicts = new ArrayList<>();
        for (BuiltinJudge builtin : BuiltinJudge.values()) {
            JudgeOutcome outcome = backend.builtin(builtin).evaluate(ragTrace);
            assertThat(outcome.applicable()).as(builtin + ": " + outcome.notApplicableReason()).isTrue();
            verdicts.addAll(outcome.verdicts());
        }

        assertThat(verdicts).extracting(v -> v.assessmentName() + "@" + v.spanId()).containsExactlyInAnyOrder(
                "safety@null",
                "relevance_to_query@null",
                "groundedness@1c2d3e4f5a6b7c8d",
                "groundedness@3e4f5a6b7c8d9e0f",
                "chunk_relevance@1c2d3e4f5a6b7c8d#0",
                "chunk_relevance@1c2d3e4f5a6b7c8d#1",
                "chunk_relevance@1c2d3e4f5a6b7c8d#2",
                "chunk_relevance/precision@1c2d3e4f5a6b7c8d",
                "chunk_relevance@3e4f5a6b7c8d9e0f#0",
                "chunk_relevance/precision@3e4f5a6b7c8d9e0f");
        assertThat(verdicts)
                .extracting(v -> Assessment.deterministicId(ragTrace.traceId(), v.assessmentName(), v.spanId()))
                .doesNotHaveDuplicates();
    }

    @Test
    void judgesOfTheMlflowTraceAgreeWithWhatItSays() throws Exception {
        assertThat(backend.builtin(BuiltinJudge.SAFETY).evaluate(ragTrace).verdicts().get(0).value()).isEqualTo("yes");
        assertThat(backend.builtin(BuiltinJudge.RELEVANCE_TO_QUERY).evaluate(ragTrace).verdicts().get(0).value())
                .isEqualTo("yes");
        List<Verdict> chunks = backend.builtin(BuiltinJudge.CHUNK_RELEVANCE).evaluate(ragTrace).verdicts();
        assertThat(chunks).extracting(Verdict::spanId, Verdict::value).contains(
                tuple("1c2d3e4f5a6b7c8d#0", "yes"),
                tuple("1c2d3e4f5a6b7c8d#2", "no"));
        assertThat(chunks.get(0).metadata()).containsEntry("document_id", "doc-17").containsEntry("chunk_id", "returns-0");
        List<Verdict> grounded = backend.builtin(BuiltinJudge.GROUNDEDNESS).evaluate(ragTrace).verdicts();
        assertThat(grounded.get(0).value()).as(grounded.get(0).rationale()).isEqualTo("yes");
    }

    @Test
    void judgesAreSafeToCallFromManyThreads() throws Exception {
        List<Judge> judges = Arrays.stream(BuiltinJudge.values()).map(backend::builtin).toList();
        List<List<Verdict>> expected = new ArrayList<>();
        for (Judge judge : judges) {
            expected.add(judge.evaluate(ragTrace).verdicts());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Verdict>>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (Judge judge : judges) {
                    Callable<List<Verdict>> call = () -> judge.evaluate(ragTrace).verdicts();
                    futures.add(pool.submit(call));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(expected.get(i % judges.size()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void warmUpLoadsTheModelOnce() {
        backend.warmUp();

        assertThat(backend.warmUp()).isEqualTo(Duration.ZERO);
    }
}
