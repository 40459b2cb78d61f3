package dev.tracemonitor.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * One assessment of a trace: MLflow's Assessment of kind feedback (a judge's result, {@code feedback}) or, as an
 * application may attach them, of kind expectation (a ground truth such as an expected answer, {@code expectation},
 * which template judges read as {@code {{ expectations }}}). Its id is derived from (trace_id, assessment_name,
 * span_id), so a replayed result is recognisably the same result.
 */
public record Assessment(
        String assessmentId,
        String assessmentName,
        String traceId,
        String spanId,
        AssessmentSource source,
        long createTimeMillis,
        long lastUpdateTimeMillis,
        Feedback feedback,
        String rationale,
        Map<String, String> metadata,
        Object expectation) {

    public Assessment {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A feedback assessment (no expectation). */
    public Assessment(String assessmentId, String assessmentName, String traceId, String spanId,
                      AssessmentSource source, long createTimeMillis, long lastUpdateTimeMillis, Feedback feedback,
                      String rationale, Map<String, String> metadata) {
        this(assessmentId, assessmentName, traceId, spanId, source, createTimeMillis, lastUpdateTimeMillis, feedback,
                rationale, metadata, null);
    }

    public boolean isExpectation() {
        return expectation != null;
    }

    /** {@code a-} followed by 32 hex digits of SHA-256(trace_id NUL name NUL span_id). */
    public static String deterministicId(String traceId, String assessmentName, String spanId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String key = traceId + '\0' + assessmentName + '\0' + (spanId == null ? "" : spanId);
            byte[] digest = sha.digest(key.getBytes(StandardCharsets.UTF_8));
            return "a-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JVM specification", e);
        }
    }
}
