package dev.tracemonitor.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.judges.llm.LlmJudgeBackend;
import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A monitor's per-judge model through the scoring engine and the LLM backend, against the fake endpoint. */
class PerJudgeModelTest {

    private static final String DEFAULT_MODEL = "judge-default";
    private static final Trace TRACE = TraceJsonCodec.decode(TestTraces.chat("t-model", "1", "q", "a"));

    private final TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
    private FakeOpenAiServer server;
    private LlmJudgeBackend backend;

    @BeforeEach
    void start() {
        server = FakeOpenAiServer.start(Behavior.verdicts(FakeOpenAiServer.DEFAULT_NO_MARKER)
                .onlyForModels(Set.of(DEFAULT_MODEL, "judge-large")));
        backend = new LlmJudgeBackend(LlmSettings.of(server.baseUrl(), DEFAULT_MODEL, null, Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        backend.close();
        server.close();
    }

    @Test
    void aModelTheEndpointDoesNotKnowGivesAnErrorAssessmentAfterOneRequest() throws Exception {
        JudgeFactory factory = new JudgeFactory(backend);
        JudgeTask task = new JudgeTask(TRACE.traceId(), new JudgeSpec("safety", 1.0, null, "judge-missing"), 3);
        BlockingQueue<Completion> done = new LinkedBlockingQueue<>();

        try (ScoringEngine engine = new ScoringEngine(new ScoringEngine.Settings(2, 4, Duration.ofMillis(1),
                Duration.ofMillis(5)), metrics)) {
            engine.submit(task, factory.judgeFor(task.judge()), TRACE, done::add);
            Completion completion = done.poll(20, TimeUnit.SECONDS);

            assertThat(completion).isNotNull();
            assertThat(completion.attempts()).isEqualTo(1);
            List<Assessment> assessments = Assessments.fromCompletion(completion, factory.judgeFor(task.judge()), 0);
            assertThat(assessments).singleElement().satisfies(a -> {
                assertThat(a.source()).isEqualTo(new AssessmentSource(AssessmentSource.LLM_JUDGE, "judge-missing"));
                assertThat(a.feedback().error().errorCode()).isEqualTo("HTTP_404");
                assertThat(a.feedback().error().errorMessage()).contains("for model judge-missing",
                        "The model `judge-missing` does not exist");
            });
        }
        assertThat(server.requests()).extracting(RecordedRequest::model).containsExactly("judge-missing");
    }

    @Test
    void judgesOnDifferentModelsShareTheEnginesBoundOnCallsInFlight() throws Exception {
        server.behavior(Behavior.verdicts(FakeOpenAiServer.DEFAULT_NO_MARKER).withLatency(Duration.ofMillis(150)));
        JudgeFactory factory = new JudgeFactory(backend);
        List<JudgeSpec> specs = List.of(new JudgeSpec("safety", 1.0, null, "judge-large"),
                new JudgeSpec("relevance_to_query", 1.0, null, null));
        BlockingQueue<Completion> done = new LinkedBlockingQueue<>();

        try (ScoringEngine engine = new ScoringEngine(new ScoringEngine.Settings(2, 1, Duration.ofMillis(1),
                Duration.ofMillis(5)), metrics)) {
            for (int i = 0; i < 4; i++) {
                for (JudgeSpec spec : specs) {
                    engine.submit(new JudgeTask("t" + i, spec, 1), factory.judgeFor(spec), TRACE, done::add);
                }
            }
            List<Completion> completions = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Completion completion = done.poll(20, TimeUnit.SECONDS);
                assertThat(completion).isNotNull();
                completions.add(completion);
            }
            assertThat(completions).allSatisfy(c -> assertThat(c.failed()).isFalse());
        }
        assertThat(server.maxConcurrentRequests()).isEqualTo(2);
        assertThat(server.requests()).extracting(RecordedRequest::model)
                .containsOnly("judge-large", DEFAULT_MODEL).hasSize(8);
    }
}
