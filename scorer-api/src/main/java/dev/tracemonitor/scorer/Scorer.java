package dev.tracemonitor.scorer;

/**
 * A code scorer: reads a trace and says what it finds. The service calls {@link #score} on threads of its own, one
 * trace per call, possibly several calls at once, so an implementation must be thread-safe (stateless is simplest).
 * A call that throws becomes an error Assessment {@code SCORER_FAILED} with the exception's class and message; a call
 * that runs past {@code trace-monitor.scorer.timeout} is interrupted and becomes {@code SCORER_TIMEOUT}. Neither is
 * retried, and neither stops other traces or other scorers.
 */
public interface Scorer {

    /**
     * The name monitors use for this scorer and the name of its Assessments: letters, digits, {@code _} and {@code -},
     * at most 128 characters, not the name of a builtin judge. Two loaded scorers may not share a name.
     */
    String name();

    /** Scores one trace: {@link ScorerResult#of} feedback, or {@link ScorerResult#notApplicable}. */
    ScorerResult score(ScoredTrace trace) throws Exception;
}
