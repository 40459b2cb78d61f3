package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.model.TraceLocation;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroCodecsTest {

    @Test
    void aRealisticTraceSurvivesModelToRecordToModel() {
        Trace trace = TraceJsonCodec.decode(AvroTestSupport.realisticTraceJson());

        GenericRecord record = AvroTraceCodec.toRecord(trace);

        assertThat(GenericData.get().validate(AvroTraceCodec.SCHEMA, record)).isTrue();
        assertThat(AvroTraceCodec.fromRecord(record)).isEqualTo(trace);
    }

    @Test
    void feedbackValuesOutsideTheUnionBecomeDoublesOrJsonText() {
        assertThat(roundTrip(Feedback.of(3)).value()).isEqualTo(3.0);
        assertThat(roundTrip(Feedback.of(7L)).value()).isEqualTo(7.0);
        assertThat(roundTrip(Feedback.of(true)).value()).isEqualTo(true);
        assertThat(roundTrip(Feedback.of(Map.of("score", 2))).value()).isEqualTo("{\"score\":2}");
        assertThat(roundTrip(Feedback.of(List.of("a", "b"))).value()).isEqualTo("[\"a\",\"b\"]");
    }

    @Test
    void aMissingSourceOrFeedbackIsWrittenEmptyAndReadBackAsMissing() {
        Assessment bare = new Assessment("a-1", "thumbs", "tr-1", null, null, 5L, 6L, null, null, null);

        GenericRecord record = AvroAssessmentCodec.toRecord(bare);

        assertThat(GenericData.get().validate(AvroAssessmentCodec.SCHEMA, record)).isTrue();
        assertThat(AvroAssessmentCodec.fromRecord(record)).isEqualTo(bare);
    }

    @Test
    void aSpanWithoutSpanIdIsRejectedLikeInJson() {
        Span noId = new Span("tr-1", "", null, "root", 1L, 2L, null, List.of(), Map.of());
        Trace trace = new Trace(new TraceInfo("tr-1", null, TraceLocation.experiment("1"), 1L, null, "OK", null, null,
                Map.of(), Map.of(), List.of()), List.of(noId));

        assertThatThrownBy(() -> AvroTraceCodec.fromRecord(AvroTraceCodec.toRecord(trace)))
                .isExactlyInstanceOf(InvalidTraceException.class)
                .hasMessage("spans[0] has no span_id");
    }

    private static Feedback roundTrip(Feedback feedback) {
        Assessment a = new Assessment("a-1", "judge", "tr-1", null, null, 1L, 1L, feedback, null, Map.of());
        return AvroAssessmentCodec.fromRecord(AvroAssessmentCodec.toRecord(a)).feedback();
    }
}
