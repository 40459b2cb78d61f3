package dev.tracemonitor.delta;

import dev.tracemonitor.model.Assessment;
import java.util.Objects;

/**
 * One row of a {@code trace_assessments_<experiment_id>} table: an Assessment as published on {@code trace-feedback},
 * and whether it was late (published after its trace had been written to {@code traces-assessed} without it).
 */
public record AssessmentRow(Assessment assessment, boolean late) {

    public AssessmentRow {
        Objects.requireNonNull(assessment, "assessment");
        if (assessment.traceId() == null) {
            throw new IllegalArgumentException("assessment " + assessment.assessmentId() + " has no trace_id");
        }
    }
}
