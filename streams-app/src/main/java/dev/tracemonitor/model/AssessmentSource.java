package dev.tracemonitor.model;

/** Who produced an assessment: {@code LLM_JUDGE}, {@code CODE} or {@code HUMAN}, and which one. */
public record AssessmentSource(String sourceType, String sourceId) {
    public static final String LLM_JUDGE = "LLM_JUDGE";
    public static final String CODE = "CODE";
    public static final String HUMAN = "HUMAN";
}
