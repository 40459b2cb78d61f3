package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.CallMemo;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.RetryableJudgeException;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Trace;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs judge calls off the stream threads, holding at most {@code maxInMemory} tasks (and their traces) at once:
 * {@link #trySubmit} refuses more, and the caller keeps the rest in its changelogged store and offers them again as
 * tasks complete. At most {@code maxInFlight} calls run at once. A transient failure (timeout, connection error,
 * 408/429/5xx, an open circuit breaker: {@link RetryableJudgeException}) is retried with capped exponential backoff
 * and jitter (Resilience4j's {@link IntervalFunction}), at least the server's Retry-After, until the task's outage
 * budget has passed since its first failure; any other exception is retried up to {@code maxAttempts} attempts. Each
 * task ends in exactly one {@link Completion} handed to the submitter's callback (which only enqueues: results are
 * forwarded on the stream thread). A task's {@link CallMemo} lives across its retries.
 */
public final class ScoringEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringEngine.class);

    /**
     * How many calls at once, how many tasks in memory (0: {@value #DEFAULT_IN_MEMORY_PER_CALL} per call in flight),
     * how often to try a call that fails with an unexpected error, how long to back off between tries (Retry-After
     * wins when longer), and how long transient failures are retried before an error Assessment.
     */
    public record Settings(int maxInFlight, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                           int maxInMemory, Duration outageBudget) {
        public static final int DEFAULT_MAX_IN_FLIGHT = 16;
        public static final int DEFAULT_MAX_ATTEMPTS = 4;
        public static final int DEFAULT_IN_MEMORY_PER_CALL = 4;
        public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
        public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
        public static final Duration DEFAULT_OUTAGE_BUDGET = Duration.ofHours(1);

        public Settings {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
            }
            if (maxInMemory <= 0) {
                maxInMemory = DEFAULT_IN_MEMORY_PER_CALL * maxInFlight;
            }
            if (maxInMemory < maxInFlight) {
                throw new IllegalArgumentException("maxInMemory (" + maxInMemory + ") must be at least maxInFlight ("
                        + maxInFlight + ")");
            }
            if (outageBudget == null || outageBudget.isNegative()) {
                throw new IllegalArgumentException("the outage budget must not be negative: " + outageBudget);
            }
        }

        public Settings(int maxInFlight, int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
            this(maxInFlight, maxAttempts, initialBackoff, maxBackoff, 0, DEFAULT_OUTAGE_BUDGET);
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF,
                    DEFAULT_MAX_BACKOFF, 0, DEFAULT_OUTAGE_BUDGET);
        }

        public Settings withMaxInMemory(int value) {
            return new Settings(maxInFlight, maxAttempts, initialBackoff, maxBackoff, value, outageBudget);
        }

        public Settings withOutageBudget(Duration value) {
            return new Settings(maxInFlight, maxAttempts, initialBackoff, maxBackoff, maxInMemory, value);
        }
    }

    private final Settings settings;
    private final TraceMonitorMetrics metrics;
    private final ExecutorService workers;
    private final ScheduledExecutorService retryTimer;
    private final IntervalFunction backoff;
    private final AtomicInteger held = new AtomicInteger();

    public ScoringEngine(Settings settings, TraceMonitorMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), 2.0, 0.5,
                settings.maxBackoff());
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.maxInFlight(), r -> {
            Thread t = new Thread(r, "judge-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "judge-retry-timer");
            t.setDaemon(true);
            return t;
        });
    }

    public Settings settings() {
        return settings;
    }

    /** How many more tasks the engine would take now. */
    public int room() {
        return Math.max(0, settings.maxInMemory() - held.get());
    }

    /** Tasks held now: running, waiting for a worker, or waiting to be retried. */
    public int held() {
        return held.get();
    }

    /**
     * Takes the task if there is room and the judge's endpoint accepts calls; false (nothing held) otherwise, and the
     * caller offers it again later.
     */
    public boolean trySubmit(JudgeTask task, Judge judge, Trace trace, Consumer<Completion> onComplete) {
        if (!judge.acceptsCalls()) {
            return false;
        }
        int now;
        do {
            now = held.get();
            if (now >= settings.maxInMemory()) {
                return false;
            }
        } while (!held.compareAndSet(now, now + 1));
        start(task, judge, trace, onComplete);
        return true;
    }

    /** Takes the task whatever the engine holds: for a caller whose whole input is small and in memory already. */
    public void submit(JudgeTask task, Judge judge, Trace trace, Consumer<Completion> onComplete) {
        held.incrementAndGet();
        start(task, judge, trace, onComplete);
    }

    private void start(JudgeTask task, Judge judge, Trace trace, Consumer<Completion> onComplete) {
        metrics.pendingTasks().incrementAndGet();
        attempt(new Run(task, judge, trace, onComplete));
    }

    /** A task in memory: what it needs for its next attempt. */
    private static final class Run {
        final JudgeTask task;
        final Judge judge;
        final Trace trace;
        final Consumer<Completion> onComplete;
        final CallMemo memo = CallMemo.fresh();
        int attempts;
        int otherFailures;
        int transientFailures;
        long firstTransientFailureNanos;

        Run(JudgeTask task, Judge judge, Trace trace, Consumer<Completion> onComplete) {
            this.task = task;
            this.judge = judge;
            this.trace = trace;
            this.onComplete = onComplete;
        }
    }

    private void attempt(Run run) {
        try {
            workers.execute(() -> call(run));
        } catch (RejectedExecutionException e) {
            LOG.debug("engine closed; task {} will be re-issued after restart", run.task.key());
        }
    }

    private void call(Run run) {
        long start = System.nanoTime();
        run.attempts++;
        metrics.inFlight().incrementAndGet();
        try {
            JudgeOutcome outcome = run.judge.evaluate(run.trace, run.memo);
            long latency = System.nanoTime() - start;
            metrics.judgeLatency(run.judge.name()).record(latency, TimeUnit.NANOSECONDS);
            metrics.judgeCall(run.judge.name(), "ok");
            complete(run, new Completion(run.task, outcome, null, run.attempts, latency));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (PermanentJudgeException e) {
            metrics.judgeCall(run.judge.name(), "permanent_failure");
            complete(run, new Completion(run.task, null, e, run.attempts, System.nanoTime() - start));
        } catch (Exception e) {
            metrics.judgeCall(run.judge.name(), "failed");
            Long delay = retryDelayMillis(run, e);
            if (delay == null || workers.isShutdown()) {
                complete(run, new Completion(run.task, null, e, run.attempts, System.nanoTime() - start));
                return;
            }
            LOG.debug("judge {} failed on trace {} (attempt {}), retrying in {} ms: {}", run.judge.name(),
                    run.task.traceId(), run.attempts, delay, e.toString());
            try {
                retryTimer.schedule(() -> attempt(run), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                LOG.debug("engine closed during retry of {}", run.task.key());
            }
        } finally {
            metrics.inFlight().decrementAndGet();
        }
    }

    /** How long to wait before the next attempt, or null when the task has tried long enough. */
    private Long retryDelayMillis(Run run, Exception failure) {
        if (failure instanceof RetryableJudgeException retryable) {
            long now = System.nanoTime();
            if (run.transientFailures++ == 0) {
                run.firstTransientFailureNanos = now;
            }
            long left = settings.outageBudget().toNanos() - (now - run.firstTransientFailureNanos);
            if (left <= 0) {
                return null;
            }
            long delay = backoff.apply(Math.min(run.transientFailures, 30));
            if (retryable.retryAfter().isPresent()) {
                delay = Math.max(delay, retryable.retryAfter().get().toMillis());
            }
            return Math.min(delay, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        if (++run.otherFailures >= settings.maxAttempts()) {
            return null;
        }
        return backoff.apply(run.otherFailures);
    }

    private void complete(Run run, Completion completion) {
        held.decrementAndGet();
        metrics.pendingTasks().decrementAndGet();
        run.onComplete.accept(completion);
    }

    @Override
    public void close() {
        retryTimer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
