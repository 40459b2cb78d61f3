package dev.tracemonitor.judges.local;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;

/**
 * What a guidelines judge is on the local backend: following a guideline written in prose needs a language model, so
 * every evaluation records an error Assessment that says so instead of a made-up verdict.
 */
final class GuidelinesUnsupportedJudge implements Judge {

    static final String ERROR_CODE = "BACKEND_UNSUPPORTED";
    static final String ERROR_MESSAGE = "guidelines need an LLM backend (judge.backend=llm)";

    private final String name;

    GuidelinesUnsupportedJudge(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AssessmentSource source() {
        return LocalJudgeBackend.source(name);
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) {
        return JudgeOutcome.of(Verdict.error(name, null, ERROR_CODE, ERROR_MESSAGE));
    }
}
