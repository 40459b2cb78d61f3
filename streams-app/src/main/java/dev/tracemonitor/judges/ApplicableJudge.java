package dev.tracemonitor.judges;

import dev.tracemonitor.model.Trace;
import java.util.Optional;

/**
 * A builtin judge of any backend. The trace is checked for what the judge needs (its {@link BuiltinJudge}'s
 * applicability, written once for every backend) before {@link #judge} sees it, so a judge never runs on a trace it
 * does not apply to and says why instead.
 */
public interface ApplicableJudge extends Judge {

    /** Which builtin judge this is. */
    BuiltinJudge kind();

    /** Judges a trace that has what {@link #kind()} needs. */
    JudgeOutcome judge(JudgeInputs inputs) throws Exception;

    @Override
    default String name() {
        return kind().wireName();
    }

    @Override
    default JudgeOutcome evaluate(Trace trace) throws Exception {
        return evaluate(trace, CallMemo.fresh());
    }

    @Override
    default JudgeOutcome evaluate(Trace trace, CallMemo memo) throws Exception {
        JudgeInputs inputs = new JudgeInputs(trace, memo);
        Optional<String> notApplicable = kind().notApplicableReason(inputs);
        return notApplicable.isPresent() ? JudgeOutcome.notApplicable(notApplicable.get()) : judge(inputs);
    }
}
