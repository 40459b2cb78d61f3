package dev.tracemonitor.alerts;

import dev.tracemonitor.model.AlertRule;
import dev.tracemonitor.web.AssessmentView;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Decides whether one window of a monitor's Assessments breaks an {@link AlertRule}. */
public final class AlertEvaluator {

    /** How many failing trace ids an alert carries. */
    static final int FAILING_IDS = 5;

    private AlertEvaluator() {
    }

    /**
     * The alert for the window {@code [windowStart, windowStart + rule.window())}, or empty when the judge's yes/no
     * Assessments created in it are fewer than {@code min_count} or pass at {@code min_pass_rate} or above.
     */
    public static Optional<Alert> evaluate(String experimentId, AlertRule rule, long windowStartMillis,
                                           Collection<AssessmentView> assessments) {
        long windowEnd = windowStartMillis + rule.windowDuration().toMillis();
        List<AssessmentView> verdicts = assessments.stream()
                .filter(a -> a.judge().equals(rule.judge()) && a.isVerdict())
                .filter(a -> a.createTimeMillis() >= windowStartMillis && a.createTimeMillis() < windowEnd)
                .toList();
        if (verdicts.size() < rule.minCount()) {
            return Optional.empty();
        }
        long passed = verdicts.stream().filter(AssessmentView::passed).count();
        double rate = (double) passed / verdicts.size();
        if (rate >= rule.minPassRate()) {
            return Optional.empty();
        }
        Set<String> failing = new LinkedHashSet<>();
        verdicts.stream().filter(a -> !a.passed()).map(AssessmentView::traceId).forEach(failing::add);
        return Optional.of(new Alert(experimentId, rule.judge(), rate, verdicts.size(), windowStartMillis, windowEnd,
                rule.minPassRate(), failing.stream().limit(FAILING_IDS).toList()));
    }
}
