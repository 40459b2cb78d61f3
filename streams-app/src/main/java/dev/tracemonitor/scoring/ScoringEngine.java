package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.RetryableJudgeException;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Trace;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs judge calls off the stream threads: at most {@code maxInFlight} at once per service instance, retried with
 * exponential backoff and full jitter, each ending in exactly one {@link Completion} handed to the submitter's
 * callback (which only enqueues: results are forwarded on the stream thread).
 */
public final class ScoringEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringEngine.class);

    /**
     * How many calls at once, how often to try, how long to back off between tries (Retry-After wins when longer),
     * and the most calls per second to the judge endpoint (0: unlimited).
     */
    public record Settings(int maxInFlight, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                           double rateLimitPerSecond) {
        public static final int DEFAULT_MAX_IN_FLIGHT = 16;
        public static final int DEFAULT_MAX_ATTEMPTS = 4;
        public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
        public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
        public static final double DEFAULT_RATE_LIMIT_PER_SECOND = 0.0;

        public Settings(int maxInFlight, int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
            this(maxInFlight, maxAttempts, initialBackoff, maxBackoff, DEFAULT_RATE_LIMIT_PER_SECOND);
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF,
                    DEFAULT_MAX_BACKOFF, DEFAULT_RATE_LIMIT_PER_SECOND);
        }
    }

    private final Settings settings;
    private final TraceMonitorMetrics metrics;
    private final ExecutorService workers;
    private final ScheduledExecutorService retryTimer;
    private final RateLimiter rateLimiter;

    public ScoringEngine(Settings settings, TraceMonitorMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.rateLimiter = new RateLimiter(settings.rateLimitPerSecond());
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

    public void submit(JudgeTask task, Judge judge, Trace trace, Consumer<Completion> onComplete) {
        metrics.pendingTasks().incrementAndGet();
        attempt(task, judge, trace, onComplete, 1);
    }

    private void attempt(JudgeTask task, Judge judge, Trace trace, Consumer<Completion> onComplete, int attempt) {
        try {
            workers.execute(() -> call(task, judge, trace, onComplete, attempt));
        } catch (RejectedExecutionException e) {
            LOG.debug("engine closed; task {} will be re-issued after restart", task.key());
        }
    }

    private void call(JudgeTask task, Judge judge, Trace trace, Consumer<Completion> onComplete, int attempt) {
        try {
            rateLimiter.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long start = System.nanoTime();
        metrics.inFlight().incrementAndGet();
        try {
            JudgeOutcome outcome = judge.evaluate(trace);
            long latency = System.nanoTime() - start;
            metrics.judgeLatency(judge.name()).record(latency, TimeUnit.NANOSECONDS);
            metrics.judgeCall(judge.name(), "ok");
            complete(onComplete, new Completion(task, outcome, null, attempt, latency));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            metrics.judgeCall(judge.name(), e instanceof PermanentJudgeException ? "permanent_failure" : "failed");
            boolean retryable = !(e instanceof PermanentJudgeException);
            if (retryable && attempt < settings.maxAttempts() && !workers.isShutdown()) {
                long delay = backoffMillis(attempt);
                if (e instanceof RetryableJudgeException r && r.retryAfter().isPresent()) {
                    delay = Math.max(delay, r.retryAfter().get().toMillis());
                }
                LOG.debug("judge {} failed on trace {} (attempt {}), retrying in {} ms: {}", judge.name(),
                        task.traceId(), attempt, delay, e.toString());
                try {
                    retryTimer.schedule(() -> attempt(task, judge, trace, onComplete, attempt + 1), delay,
                            TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    LOG.debug("engine closed during retry of {}", task.key());
                }
            } else {
                complete(onComplete, new Completion(task, null, e, attempt, System.nanoTime() - start));
            }
        } finally {
            metrics.inFlight().decrementAndGet();
        }
    }

    private void complete(Consumer<Completion> onComplete, Completion completion) {
        metrics.pendingTasks().decrementAndGet();
        onComplete.accept(completion);
    }

    long backoffMillis(int attempt) {
        long cap = settings.maxBackoff().toMillis();
        long exp = settings.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
        long bound = Math.max(1, Math.min(cap, exp));
        return ThreadLocalRandom.current().nextLong(bound / 2, bound + 1);
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
