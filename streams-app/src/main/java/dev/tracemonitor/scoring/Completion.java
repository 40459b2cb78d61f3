package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.JudgeOutcome;

/** A finished judge call: its outcome, or the failure that remained after the last attempt. */
public record Completion(JudgeTask task, JudgeOutcome outcome, Throwable failure, int attempts, long latencyNanos) {

    public boolean failed() {
        return failure != null;
    }
}
