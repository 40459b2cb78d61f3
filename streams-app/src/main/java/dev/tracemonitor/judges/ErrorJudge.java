package dev.tracemonitor.judges;

import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;

/**
 * A judge that cannot run where it was asked for (a backend without the model it needs, a scorer no plugin provides):
 * every evaluation is one error verdict with {@code code} and {@code message}, never a made-up value.
 */
public record ErrorJudge(String name, AssessmentSource source, String code, String message) implements Judge {

    @Override
    public JudgeOutcome evaluate(Trace trace) {
        return JudgeOutcome.of(Verdict.error(name, null, code, message));
    }
}
