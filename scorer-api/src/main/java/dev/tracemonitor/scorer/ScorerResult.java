package dev.tracemonitor.scorer;

import java.util.List;
import java.util.Objects;

/**
 * What a scorer said about one trace: one or more {@link Feedback}s (each becomes one Assessment named after the
 * scorer), or that the scorer does not apply to the trace (no Assessment; the reason is counted).
 */
public final class ScorerResult {

    private final List<Feedback> feedback;
    private final String notApplicableReason;

    private ScorerResult(List<Feedback> feedback, String notApplicableReason) {
        this.feedback = feedback;
        this.notApplicableReason = notApplicableReason;
    }

    /** One or more feedbacks; at least one. */
    public static ScorerResult of(Feedback first, Feedback... more) {
        Objects.requireNonNull(first, "feedback");
        Feedback[] all = new Feedback[more.length + 1];
        all[0] = first;
        System.arraycopy(more, 0, all, 1, more.length);
        return of(List.of(all));
    }

    /** A list of feedbacks; at least one, none null. */
    public static ScorerResult of(List<Feedback> feedback) {
        List<Feedback> copy = List.copyOf(feedback);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a scorer result needs at least one feedback (or notApplicable)");
        }
        return new ScorerResult(copy, null);
    }

    /** The scorer does not apply to this trace (for example, it has no response), and why. */
    public static ScorerResult notApplicable(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a not-applicable result needs a reason");
        }
        return new ScorerResult(List.of(), reason);
    }

    /** The feedbacks; empty when not applicable. */
    public List<Feedback> feedback() {
        return feedback;
    }

    /** Why the scorer does not apply, or null when it gave feedback. */
    public String notApplicableReason() {
        return notApplicableReason;
    }

    public boolean applicable() {
        return notApplicableReason == null;
    }

    @Override
    public String toString() {
        return applicable() ? "ScorerResult" + feedback : "ScorerResult[not applicable: " + notApplicableReason + "]";
    }

    /**
     * One finding: a value ({@link String}, {@link Boolean}, {@link Long} or a finite {@link Double}, as MLflow's
     * feedback values; {@code "yes"} / {@code "no"} is what pass-rate alerts count), a rationale (may be null), and the
     * span it is about (null for the whole trace; otherwise a span id of the scored trace).
     */
    public record Feedback(Object value, String rationale, String spanId) {

        public Feedback {
            Objects.requireNonNull(value, "value");
            if (!(value instanceof String || value instanceof Boolean || value instanceof Long
                    || value instanceof Double)) {
                throw new IllegalArgumentException("a feedback value is a String, Boolean, Long or Double, not "
                        + value.getClass().getName());
            }
            if (value instanceof Double d && !Double.isFinite(d)) {
                throw new IllegalArgumentException("a feedback value must be finite: " + d);
            }
        }

        public static Feedback of(String value, String rationale) {
            return new Feedback(value, rationale, null);
        }

        public static Feedback of(boolean value, String rationale) {
            return new Feedback(value, rationale, null);
        }

        public static Feedback of(long value, String rationale) {
            return new Feedback(value, rationale, null);
        }

        public static Feedback of(double value, String rationale) {
            return new Feedback(value, rationale, null);
        }

        /** {@code "yes"}: the trace passes the scorer's check. */
        public static Feedback yes(String rationale) {
            return of("yes", rationale);
        }

        /** {@code "no"}: the trace fails the scorer's check. */
        public static Feedback no(String rationale) {
            return of("no", rationale);
        }

        /** The same feedback about one span of the trace. */
        public Feedback onSpan(String id) {
            return new Feedback(value, rationale, id);
        }
    }
}
