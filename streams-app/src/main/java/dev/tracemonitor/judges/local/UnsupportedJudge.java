package dev.tracemonitor.judges.local;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;

/**
 * What the local backend makes of a judge it cannot honour: following a guideline or a template judge's instructions
 * written in prose, or asking a judge
 * model named by the monitor, needs a language model, so every evaluation records an error Assessment that says so
 * instead of a made-up verdict.
 */
final class UnsupportedJudge implements Judge {

    static final String ERROR_CODE = "BACKEND_UNSUPPORTED";
    static final String GUIDELINES_MESSAGE = "guidelines need an LLM backend (trace-monitor.judge.backend=llm)";
    static final String TEMPLATE_MESSAGE = "template judges need an LLM backend (trace-monitor.judge.backend=llm)";

    private final String name;
    private final String message;

    UnsupportedJudge(String name, String message) {
        this.name = name;
        this.message = message;
    }

    static String modelMessage(String model) {
        return "judge model \"" + model + "\" needs an LLM backend (trace-monitor.judge.backend=llm); the local backend has no models"
                + " to choose from";
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
        return JudgeOutcome.of(Verdict.error(name, null, ERROR_CODE, message));
    }
}
