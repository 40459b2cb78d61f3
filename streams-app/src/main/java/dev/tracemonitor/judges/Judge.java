package dev.tracemonitor.judges;

import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;

/**
 * A scorer that reads a trace and returns verdicts. Implementations may block (a model call, an embedding): the
 * scoring engine calls them on its own worker threads, never on a stream thread, and turns a thrown exception into an
 * error Assessment after its retries.
 */
public interface Judge {

    /** The judge's name as configured: a builtin name such as {@code safety}, or a guideline's name. */
    String name();

    /** Recorded as the Assessment's source. */
    AssessmentSource source();

    JudgeOutcome evaluate(Trace trace) throws Exception;

    /**
     * Evaluates with the replies an earlier attempt of the same task already received (see {@link CallMemo}); a
     * judge that makes one call, or none, may ignore it.
     */
    default JudgeOutcome evaluate(Trace trace, CallMemo memo) throws Exception {
        return evaluate(trace);
    }

    /**
     * False while the judge's endpoint is known to be down (its circuit breaker is open): the scoring engine then
     * takes no new task of it into memory, and the pending tasks wait in the store.
     */
    default boolean acceptsCalls() {
        return true;
    }
}
