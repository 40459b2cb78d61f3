package dev.tracemonitor.testing.scorers;

import dev.tracemonitor.scorer.ScoredTrace;
import dev.tracemonitor.scorer.Scorer;
import dev.tracemonitor.scorer.ScorerResult;

/** A plugin scorer that fails on every trace. Listed as a service only inside the jars tests build. */
public final class ThrowingScorer implements Scorer {

    public static final String NAME = "always_throws";
    public static final String MESSAGE = "scorer bug on purpose";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ScorerResult score(ScoredTrace trace) {
        throw new IllegalStateException(MESSAGE + " (" + trace.traceId() + ")");
    }
}
