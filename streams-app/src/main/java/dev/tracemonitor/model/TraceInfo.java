package dev.tracemonitor.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MLflow's TraceInfo (V3): identity, timing, state, previews, metadata, tags and the assessments attached so far.
 * {@code requestTimeMillis} is epoch milliseconds; {@code executionDurationMillis} may be null.
 */
public record TraceInfo(
        String traceId,
        String clientRequestId,
        TraceLocation traceLocation,
        long requestTimeMillis,
        Long executionDurationMillis,
        String state,
        String requestPreview,
        String responsePreview,
        Map<String, String> traceMetadata,
        Map<String, String> tags,
        List<Assessment> assessments) {

    public TraceInfo {
        traceMetadata = traceMetadata == null ? Map.of() : Map.copyOf(traceMetadata);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        assessments = assessments == null ? List.of() : List.copyOf(assessments);
    }

    public String experimentId() {
        return traceLocation == null ? null : traceLocation.experimentId();
    }

    public TraceInfo withAssessments(List<Assessment> newAssessments) {
        return new TraceInfo(traceId, clientRequestId, traceLocation, requestTimeMillis, executionDurationMillis,
                state, requestPreview, responsePreview, traceMetadata, tags, newAssessments);
    }

    public TraceInfo withTag(String key, String value) {
        Map<String, String> newTags = new HashMap<>(tags);
        newTags.put(key, value);
        return new TraceInfo(traceId, clientRequestId, traceLocation, requestTimeMillis, executionDurationMillis,
                state, requestPreview, responsePreview, traceMetadata, newTags, assessments);
    }
}
