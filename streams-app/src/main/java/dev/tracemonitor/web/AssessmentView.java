package dev.tracemonitor.web;

/**
 * One row of a {@code trace_assessments} table as the page uses it; {@code value} is the feedback value as stored
 * ({@code "yes"}, {@code "no"}, a number), null when the judge failed ({@code error} then says how).
 */
public record AssessmentView(String traceId, String assessmentId, String judge, String spanId, long createTimeMillis,
                             String value, String error, String rationale) {

    /** Whether the judge said yes or no: the Assessments a pass rate counts. */
    public boolean isVerdict() {
        return "yes".equals(value) || "no".equals(value);
    }

    public boolean passed() {
        return "yes".equals(value);
    }
}
