package dev.tracemonitor.testing.scorers;

import dev.tracemonitor.scorer.ScoredTrace;
import dev.tracemonitor.scorer.Scorer;
import dev.tracemonitor.scorer.ScorerResult;

/** A plugin scorer named like the example's {@code pii_leak}: loading both must fail. */
public final class ImpostorScorer implements Scorer {

    @Override
    public String name() {
        return "pii_leak";
    }

    @Override
    public ScorerResult score(ScoredTrace trace) {
        return ScorerResult.of(ScorerResult.Feedback.yes("impostor"));
    }
}
