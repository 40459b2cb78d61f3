package dev.tracemonitor.testing.scorers;

import dev.tracemonitor.scorer.ScoredSpan;
import dev.tracemonitor.scorer.ScoredTrace;
import dev.tracemonitor.scorer.Scorer;
import dev.tracemonitor.scorer.ScorerResult;
import dev.tracemonitor.scorer.ScorerResult.Feedback;
import java.util.List;

/** Scores each span by its duration in milliseconds, on that span; a trace without spans is not applicable. */
public final class SpanScorer implements Scorer {

    public static final String NAME = "span_millis";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ScorerResult score(ScoredTrace trace) {
        if (trace.spans().isEmpty()) {
            return ScorerResult.notApplicable("no spans");
        }
        List<Feedback> feedback = trace.spans().stream()
                .map(s -> Feedback.of((s.endTimeUnixNano() - s.startTimeUnixNano()) / 1_000_000L, s.name())
                        .onSpan(s.spanId()))
                .toList();
        return ScorerResult.of(feedback);
    }
}
