package dev.tracemonitor.serde;

import static dev.tracemonitor.serde.AvroValues.field;
import static dev.tracemonitor.serde.AvroValues.longValue;
import static dev.tracemonitor.serde.AvroValues.string;
import static dev.tracemonitor.serde.AvroValues.stringMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentError;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Maps {@link Assessment} to and from records of {@code schemas/Assessment.avsc}, the contract of the trace-feedback
 * topic in Avro. Where the schema is narrower than the model: a feedback value that is a number becomes a double and
 * one that is a list or map becomes its JSON text; a missing source is written as empty strings (and read back as
 * missing); a missing feedback is written with no value and no error (and read back as missing).
 */
public final class AvroAssessmentCodec {

    /** The Assessment schema, as generated from schemas/Trace.avsc (identical to schemas/Assessment.avsc). */
    public static final Schema SCHEMA = dev.tracemonitor.avro.Assessment.getClassSchema();

    private AvroAssessmentCodec() {
    }

    public static GenericRecord toRecord(Assessment assessment) {
        return toRecord(SCHEMA, assessment);
    }

    /** A record of {@code schema}, which is the Assessment schema itself or its copy inlined in the Trace schema. */
    static GenericData.Record toRecord(Schema schema, Assessment a) {
        GenericData.Record record = new GenericData.Record(schema);
        record.put("assessment_id", a.assessmentId());
        record.put("assessment_name", a.assessmentName());
        record.put("trace_id", a.traceId());
        record.put("span_id", a.spanId());
        GenericData.Record source = new GenericData.Record(field(schema, "source"));
        source.put("source_type", a.source() == null ? "" : Objects.requireNonNullElse(a.source().sourceType(), ""));
        source.put("source_id", a.source() == null ? "" : Objects.requireNonNullElse(a.source().sourceId(), ""));
        record.put("source", source);
        record.put("create_time", a.createTimeMillis());
        record.put("last_update_time", a.lastUpdateTimeMillis());
        Schema feedbackSchema = field(schema, "feedback");
        GenericData.Record feedback = new GenericData.Record(feedbackSchema);
        if (a.feedback() != null) {
            feedback.put("value", value(a.feedback().value()));
            AssessmentError error = a.feedback().error();
            if (error != null) {
                GenericData.Record avroError = new GenericData.Record(field(feedbackSchema, "error"));
                avroError.put("error_code", Objects.requireNonNullElse(error.errorCode(), ""));
                avroError.put("error_message", Objects.requireNonNullElse(error.errorMessage(), ""));
                feedback.put("error", avroError);
            }
        }
        record.put("feedback", feedback);
        record.put("rationale", a.rationale());
        record.put("metadata", a.metadata());
        return record;
    }

    public static Assessment fromRecord(GenericRecord record) {
        GenericRecord source = (GenericRecord) record.get("source");
        String sourceType = source == null ? null : string(source.get("source_type"));
        String sourceId = source == null ? null : string(source.get("source_id"));
        boolean noSource = (sourceType == null || sourceType.isEmpty()) && (sourceId == null || sourceId.isEmpty());
        GenericRecord feedback = (GenericRecord) record.get("feedback");
        Feedback modelFeedback = null;
        if (feedback != null) {
            Object value = feedback.get("value");
            GenericRecord error = (GenericRecord) feedback.get("error");
            if (value != null || error != null) {
                modelFeedback = new Feedback(value instanceof CharSequence ? value.toString() : value,
                        error == null ? null
                                : new AssessmentError(string(error.get("error_code")), string(error.get("error_message"))));
            }
        }
        return new Assessment(
                string(record.get("assessment_id")),
                string(record.get("assessment_name")),
                string(record.get("trace_id")),
                string(record.get("span_id")),
                noSource ? null : new AssessmentSource(sourceType, sourceId),
                longValue(record.get("create_time")),
                longValue(record.get("last_update_time")),
                modelFeedback,
                string(record.get("rationale")),
                stringMap(record.get("metadata")));
    }

    /**
     * An Assessment in the Confluent framing as the service writes it: read with the contract schema, whatever the
     * schema id, so no registry call is needed.
     */
    static Assessment fromFramed(byte[] value) {
        try {
            GenericRecord record = new GenericDatumReader<GenericRecord>(SCHEMA).read(null,
                    DecoderFactory.get().binaryDecoder(value, ConfluentWireFormat.HEADER_LENGTH,
                            value.length - ConfluentWireFormat.HEADER_LENGTH, null));
            return fromRecord(record);
        } catch (IOException e) {
            throw new UncheckedIOException("feedback record is not an Assessment in Avro", e);
        }
    }

    private static Object value(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Double) {
            return value;
        }
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("feedback value cannot be written as JSON: " + value, e);
        }
    }
}
