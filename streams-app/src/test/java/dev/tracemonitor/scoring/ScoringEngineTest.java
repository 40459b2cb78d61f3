package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.RetryableJudgeException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.testing.TestTraces;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ScoringEngineTest {

    private static final Trace TRACE = TraceJsonCodec.decode(TestTraces.chat("t1", "1", "q", "a"));
    private final TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();

    private interface Body {
        JudgeOutcome apply() throws Exception;
    }

    private static Judge judge(Body body) {
        return new Judge() {
            @Override
            public String name() {
                return "safety";
            }

            @Override
            public AssessmentSource source() {
                return new AssessmentSource(AssessmentSource.CODE, "test");
            }

            @Override
            public JudgeOutcome evaluate(Trace trace) throws Exception {
                return body.apply();
            }
        };
    }

    private static JudgeTask task(String id) {
        return new JudgeTask(id, new JudgeSpec("safety", 1.0, null), 0);
    }

    @Test
    void neverRunsMoreThanMaxInFlightAndCompletesEachTaskOnce() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Queue<Completion> done = new ConcurrentLinkedQueue<>();
        try (ScoringEngine engine = new ScoringEngine(new ScoringEngine.Settings(3, 1, Duration.ofMillis(1),
                Duration.ofMillis(1)), metrics)) {
            Judge slow = judge(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                TimeUnit.MILLISECONDS.sleep(20);
                running.decrementAndGet();
                return JudgeOutcome.of(Verdict.of("safety", null, "yes", "ok"));
            });
            for (int i = 0; i < 30; i++) {
                engine.submit(task("t" + i), slow, TRACE, done::add);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 30);
        }
        assertThat(peak.get()).isEqualTo(3);
        assertThat(done).extracting(c -> c.task().traceId()).doesNotHaveDuplicates();
    }

    @Test
    void retryWaitsAtLeastTheServersRetryAfter() {
        List<Long> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
        Queue<Completion> done = new ConcurrentLinkedQueue<>();
        try (ScoringEngine engine = new ScoringEngine(new ScoringEngine.Settings(2, 3, Duration.ofMillis(1),
                Duration.ofMillis(2)), metrics)) {
            engine.submit(task("t"), judge(() -> {
                attempts.add(System.nanoTime());
                if (attempts.size() == 1) {
                    throw new RetryableJudgeException("429", Duration.ofMillis(400));
                }
                return JudgeOutcome.of(Verdict.of("safety", null, "yes", "ok"));
            }), TRACE, done::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 1);
        }
        assertThat(done.peek().failed()).isFalse();
        assertThat(done.peek().attempts()).isEqualTo(2);
        assertThat(attempts.get(1) - attempts.get(0)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
    }

    @Test
    void permanentFailureIsNotRetriedOtherErrorsStopAtMaxAttemptsAndTransientOnesAtTheOutageBudget() {
        AtomicInteger permanentCalls = new AtomicInteger();
        AtomicInteger otherCalls = new AtomicInteger();
        AtomicInteger transientCalls = new AtomicInteger();
        Queue<Completion> done = new ConcurrentLinkedQueue<>();
        ScoringEngine.Settings settings = new ScoringEngine.Settings(2, 4, Duration.ofMillis(1), Duration.ofMillis(2))
                .withOutageBudget(Duration.ofMillis(300));
        try (ScoringEngine engine = new ScoringEngine(settings, metrics)) {
            engine.submit(task("p"), judge(() -> {
                permanentCalls.incrementAndGet();
                throw new PermanentJudgeException("HTTP_401", "unauthorized");
            }), TRACE, done::add);
            engine.submit(task("o"), judge(() -> {
                otherCalls.incrementAndGet();
                throw new IllegalStateException("a bug");
            }), TRACE, done::add);
            engine.submit(task("r"), judge(() -> {
                transientCalls.incrementAndGet();
                throw new RetryableJudgeException("HTTP 503", null);
            }), TRACE, done::add);
            await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 3);
        }
        assertThat(permanentCalls.get()).isEqualTo(1);
        assertThat(otherCalls.get()).isEqualTo(4);
        assertThat(transientCalls.get()).as("retried past max attempts, until the budget").isGreaterThan(4);
        assertThat(done).allMatch(Completion::failed);
        Completion exhausted = done.stream().filter(c -> c.task().traceId().equals("r")).findFirst().orElseThrow();
        assertThat(Assessments.fromCompletion(exhausted, judge(() -> null), 0).get(0).feedback().error().errorCode())
                .isEqualTo("RETRIES_EXHAUSTED");
    }

    @Test
    void holdsNoMoreThanMaxInMemoryAndRefusesTheRest() {
        CountDownLatch release = new CountDownLatch(1);
        Queue<Completion> done = new ConcurrentLinkedQueue<>();
        try (ScoringEngine engine = new ScoringEngine(new ScoringEngine.Settings(2, 1, Duration.ofMillis(1),
                Duration.ofMillis(1)).withMaxInMemory(5), metrics)) {
            Judge blocked = judge(() -> {
                release.await();
                return JudgeOutcome.of(Verdict.of("safety", null, "yes", "ok"));
            });
            int taken = 0;
            for (int i = 0; i < 8; i++) {
                taken += engine.trySubmit(task("t" + i), blocked, TRACE, done::add) ? 1 : 0;
            }
            assertThat(taken).isEqualTo(5);
            assertThat(engine.room()).isZero();
            assertThat(metrics.pendingTasks().get()).isEqualTo(5);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 5);
            assertThat(engine.room()).isEqualTo(5);
        }
    }

    @Test
    void aJudgeWhoseEndpointIsDownIsNotTakenIntoMemory() {
        Judge down = new Judge() {
            @Override
            public String name() {
                return "safety";
            }

            @Override
            public AssessmentSource source() {
                return new AssessmentSource(AssessmentSource.CODE, "test");
            }

            @Override
            public JudgeOutcome evaluate(Trace trace) {
                throw new AssertionError("not called");
            }

            @Override
            public boolean acceptsCalls() {
                return false;
            }
        };
        try (ScoringEngine engine = new ScoringEngine(ScoringEngine.Settings.defaults(), metrics)) {
            assertThat(engine.trySubmit(task("t"), down, TRACE, c -> { })).isFalse();
            assertThat(engine.held()).isZero();
        }
    }

    @Test
    void theDefaultBoundIsFourTasksPerCallInFlight() {
        assertThat(ScoringEngine.Settings.defaults().maxInMemory()).isEqualTo(64);
        assertThat(new ScoringEngine.Settings(3, 1, Duration.ofMillis(1), Duration.ofMillis(1)).maxInMemory())
                .isEqualTo(12);
    }
}
