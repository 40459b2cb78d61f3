package dev.tracemonitor.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * One piece of feedback on a trace (MLflow's Assessment of kind feedback). Its id is derived from
 * (trace_id, assessment_name, span_id), so a replayed result is recognisably the same result.
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
        Map<String, String> metadata) {

    public Assessment {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
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
