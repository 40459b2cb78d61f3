package dev.tracemonitor.scorers;

import dev.tracemonitor.judges.ErrorJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.scorer.ScoredTrace;
import dev.tracemonitor.scorer.Scorer;
import dev.tracemonitor.scorer.ScorerResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin {@link Scorer} as a {@link Judge} of the scoring engine. Each call runs on this scorer's own threads and
 * the engine's worker waits at most the timeout for it (counted from the hand-over, so a call queued behind hung ones
 * times out too): whatever the scorer does, the worker is free again after the timeout. A call that throws is an error
 * verdict {@value #SCORER_FAILED}, one that does not finish in time {@value #SCORER_TIMEOUT} (the call is interrupted);
 * neither is retried, since a scorer is plain code that fails the same way again. A result the service cannot record
 * (two feedbacks about one span, a span id not in the trace) is {@value #SCORER_FAILED} too.
 */
public final class ScorerJudge implements Judge, AutoCloseable {

    public static final String SCORER_FAILED = "SCORER_FAILED";
    public static final String SCORER_TIMEOUT = "SCORER_TIMEOUT";
    public static final String SCORER_NOT_FOUND = "SCORER_NOT_FOUND";
    /** The Assessments' source id: {@code CODE} source type, this prefix and the scorer's name. */
    public static final String SOURCE_ID_PREFIX = "trace-monitor/scorer/";

    private final Scorer scorer;
    private final String name;
    private final Duration timeout;
    private final AssessmentSource source;
    private final ThreadPoolExecutor threads;

    ScorerJudge(Scorer scorer, String name, ClassLoader pluginLoader, ScorerSettings settings) {
        this.scorer = scorer;
        this.name = name;
        this.timeout = settings.timeout();
        this.source = new AssessmentSource(AssessmentSource.CODE, SOURCE_ID_PREFIX + name);
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(settings.threadsPerScorer(), settings.threadsPerScorer(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "scorer-" + name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    t.setContextClassLoader(pluginLoader);
                    return t;
                });
        this.threads.allowCoreThreadTimeOut(true);
    }

    /** A judge for a scorer name no loaded plugin has: every call is an error verdict {@value #SCORER_NOT_FOUND}. */
    static Judge notFound(String name, Set<String> loaded) {
        AssessmentSource source = new AssessmentSource(AssessmentSource.CODE, SOURCE_ID_PREFIX + name);
        String message = "no scorer named \"" + name + "\" is loaded (loaded: " + loaded
                + "); put its jar in trace-monitor.scorers.dir and restart";
        return new ErrorJudge(name, source, SCORER_NOT_FOUND, message);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AssessmentSource source() {
        return source;
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws InterruptedException {
        ScoredTrace view = ScoredTraces.of(trace);
        Future<ScorerResult> call;
        try {
            call = threads.submit(() -> scorer.score(view));
        } catch (RejectedExecutionException e) {
            return error(SCORER_FAILED, "the scorer's threads are shut down (the service is stopping)");
        }
        ScorerResult result;
        try {
            result = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            threads.purge();
            return error(SCORER_TIMEOUT, "the scorer did not finish within " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return error(SCORER_FAILED, cause.getClass().getName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        }
        return outcome(result, view);
    }

    private JudgeOutcome outcome(ScorerResult result, ScoredTrace trace) {
        if (result == null) {
            return error(SCORER_FAILED, "the scorer returned null");
        }
        if (!result.applicable()) {
            return JudgeOutcome.notApplicable(result.notApplicableReason());
        }
        List<Verdict> verdicts = new ArrayList<>();
        Set<String> spans = new HashSet<>();
        for (ScorerResult.Feedback feedback : result.feedback()) {
            String spanId = feedback.spanId();
            if (spanId != null && trace.span(spanId).isEmpty()) {
                return error(SCORER_FAILED, "the scorer gave feedback on span \"" + spanId
                        + "\", which is not a span of the trace");
            }
            if (!spans.add(spanId == null ? "" : spanId)) {
                return error(SCORER_FAILED, "the scorer gave two feedbacks about "
                        + (spanId == null ? "the whole trace" : "span \"" + spanId + "\"")
                        + " (an Assessment is one per scorer and span)");
            }
            verdicts.add(Verdict.of(name, spanId, feedback.value(), feedback.rationale()));
        }
        return JudgeOutcome.of(verdicts);
    }

    private JudgeOutcome error(String code, String message) {
        return JudgeOutcome.of(Verdict.error(name, null, code, message));
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
