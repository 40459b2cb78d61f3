package dev.tracemonitor.serde;

import dev.tracemonitor.model.Assessment;

/** Encodes feedback as MLflow's Assessment JSON, the default format of the feedback topic. */
public final class JsonAssessmentEncoder implements AssessmentEncoder {

    @Override
    public byte[] encode(String topic, Assessment assessment) {
        return TraceJsonCodec.encodeAssessment(assessment);
    }
}
