package dev.tracemonitor.testing.scorers;

import dev.tracemonitor.scorer.ScoredTrace;
import dev.tracemonitor.scorer.Scorer;
import dev.tracemonitor.scorer.ScorerResult;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin scorer that sleeps far past any test's timeout; counts the calls that were interrupted, so a test can see
 * the service gave up on them. Listed as a service only inside the jars tests build.
 */
public final class HangingScorer implements Scorer {

    public static final String NAME = "hangs";
    public static final long SLEEP_MILLIS = 60_000;
    public static final AtomicInteger INTERRUPTED = new AtomicInteger();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ScorerResult score(ScoredTrace trace) throws InterruptedException {
        try {
            Thread.sleep(SLEEP_MILLIS);
        } catch (InterruptedException e) {
            INTERRUPTED.incrementAndGet();
            throw e;
        }
        return ScorerResult.of(ScorerResult.Feedback.yes("woke up"));
    }
}
