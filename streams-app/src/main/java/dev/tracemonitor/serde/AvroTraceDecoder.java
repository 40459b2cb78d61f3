package dev.tracemonitor.serde;

import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.AvroDecodeException.Reason;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes traces sent by producers using Confluent's Avro serializer: reads the schema id from the frame, fetches that
 * writer schema from the registry (once per id), and resolves it against our reader schema
 * ({@code schemas/Trace.avsc}), so producers on an older or newer compatible version of the schema still decode. A
 * writer schema our reader cannot resolve is reported once per id with every incompatibility Avro finds.
 */
public final class AvroTraceDecoder implements TraceDecoder {

    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Map<Integer, Resolution> resolutions = new ConcurrentHashMap<>();

    public AvroTraceDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
        this.readerSchema = AvroTraceCodec.SCHEMA;
    }

    @Override
    public Trace decode(String topic, byte[] value) {
        int schemaId = ConfluentWireFormat.schemaId(value);
        GenericDatumReader<GenericRecord> reader = resolution(schemaId).readerOrThrow(schemaId);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, ConfluentWireFormat.HEADER_LENGTH,
                value.length - ConfluentWireFormat.HEADER_LENGTH, null);
        GenericRecord record;
        boolean leftOver;
        try {
            record = reader.read(null, decoder);
            leftOver = !decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            throw new AvroDecodeException(Reason.MALFORMED_PAYLOAD, schemaId, "Avro payload does not decode with writer schema id "
                    + schemaId + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        if (leftOver) {
            throw new AvroDecodeException(Reason.MALFORMED_PAYLOAD, schemaId,
                    "bytes left over after the record: the payload was not written with writer schema id " + schemaId, null);
        }
        return AvroTraceCodec.fromRecord(record);
    }

    private Resolution resolution(int schemaId) {
        Resolution cached = resolutions.get(schemaId);
        if (cached != null) {
            return cached;
        }
        Resolution resolved = resolve(schemaId);
        Resolution previous = resolutions.putIfAbsent(schemaId, resolved);
        return previous != null ? previous : resolved;
    }

    private Resolution resolve(int schemaId) {
        Schema writer;
        try {
            writer = registry.schemaById(schemaId);
        } catch (SchemaNotFoundException e) {
            throw new AvroDecodeException(Reason.UNKNOWN_SCHEMA_ID, schemaId, "unknown schema id " + schemaId
                    + ": the registry has no such schema (" + e.getMessage() + ")", e);
        } catch (UnsupportedSchemaException e) {
            return Resolution.failed(Reason.UNSUPPORTED_SCHEMA, e.getMessage());
        }
        SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return Resolution.failed(Reason.INCOMPATIBLE_SCHEMA, "writer schema id " + schemaId + " ("
                    + writer.getFullName() + ") cannot be read as " + readerSchema.getFullName() + ": "
                    + IncompatibleSchemaException.describe(compatibility));
        }
        return new Resolution(new GenericDatumReader<>(writer, readerSchema, GenericData.get()), null, null);
    }

    /** The reader for one writer schema id, or why there is none. */
    private record Resolution(GenericDatumReader<GenericRecord> reader, Reason reason, String problem) {

        static Resolution failed(Reason reason, String problem) {
            return new Resolution(null, reason, problem);
        }

        GenericDatumReader<GenericRecord> readerOrThrow(int schemaId) {
            if (reader == null) {
                throw new AvroDecodeException(reason, schemaId, problem, null);
            }
            return reader;
        }
    }
}
