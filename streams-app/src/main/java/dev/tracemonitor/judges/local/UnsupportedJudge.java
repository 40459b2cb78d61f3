package dev.tracemonitor.judges.local;

import dev.tracemonitor.judges.ErrorJudge;
import dev.tracemonitor.judges.Judge;

/**
 * What the local backend makes of a judge it cannot honour: following a guideline or a template judge's instructions
 * written in prose, or asking a judge model named by the monitor, needs a language model, so every evaluation records
 * an error Assessment that says so ({@link ErrorJudge}) instead of a made-up verdict.
 */
final class UnsupportedJudge {

    static final String ERROR_CODE = "BACKEND_UNSUPPORTED";
    static final String GUIDELINES_MESSAGE = "guidelines need an LLM backend (trace-monitor.judge.backend=llm)";
    static final String TEMPLATE_MESSAGE = "template judges need an LLM backend (trace-monitor.judge.backend=llm)";

    private UnsupportedJudge() {
    }

    static Judge of(String name, String message) {
        return new ErrorJudge(name, LocalJudgeBackend.source(name), ERROR_CODE, message);
    }

    static String modelMessage(String model) {
        return "judge model \"" + model + "\" needs an LLM backend (trace-monitor.judge.backend=llm); the local backend has no models"
                + " to choose from";
    }
}
