package dev.tracemonitor.sink;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.serde.AvroAssessmentCodec;
import dev.tracemonitor.serde.ConfluentWireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads the service's own feedback records in either wire format: MLflow JSON, or Avro in the Confluent framing as
 * the service writes it (with the contract schema {@code schemas/Assessment.avsc}, so no registry call is needed).
 */
final class FeedbackValues {

    private FeedbackValues() {
    }

    static Assessment decode(byte[] value) {
        if (value != null && value.length > ConfluentWireFormat.HEADER_LENGTH && value[0] == ConfluentWireFormat.MAGIC_BYTE) {
            try {
                GenericRecord record = new GenericDatumReader<GenericRecord>(AvroAssessmentCodec.SCHEMA).read(null,
                        DecoderFactory.get().binaryDecoder(value, ConfluentWireFormat.HEADER_LENGTH,
                                value.length - ConfluentWireFormat.HEADER_LENGTH, null));
                return AvroAssessmentCodec.fromRecord(record);
            } catch (IOException e) {
                throw new UncheckedIOException("feedback record is not an Assessment in Avro", e);
            }
        }
        return TraceJsonCodec.decodeAssessment(value);
    }
}
