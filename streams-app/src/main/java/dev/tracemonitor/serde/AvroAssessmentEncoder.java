package dev.tracemonitor.serde;

import dev.tracemonitor.model.Assessment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Encodes feedback the way Confluent's Avro serializer does, so consumers with Confluent tooling read the feedback
 * topic: the {@code schemas/Assessment.avsc} record, framed with the id of its schema under {@code <topic>-value}.
 * The id is resolved once per topic and cached: by default looked up, and registered if the subject lacks it
 * ({@code auto.register.schemas}); or only looked up; or ({@code use.latest.version}) the subject's latest schema is
 * used as the writer schema, records being projected onto it by Avro schema resolution.
 */
public final class AvroAssessmentEncoder implements AssessmentEncoder {

    private static final GenericDatumWriter<GenericRecord> WRITER = new GenericDatumWriter<>(AvroAssessmentCodec.SCHEMA);

    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final boolean useLatestVersion;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    public AvroAssessmentEncoder(SchemaRegistryClient registry, boolean autoRegister, boolean useLatestVersion) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.useLatestVersion = useLatestVersion;
    }

    /** Looks up the schema and registers it when missing: Confluent's default behaviour. */
    public AvroAssessmentEncoder(SchemaRegistryClient registry) {
        this(registry, true, false);
    }

    @Override
    public byte[] encode(String topic, Assessment assessment) {
        Target target = target(topic);
        GenericRecord record = AvroAssessmentCodec.toRecord(assessment);
        if (target.projection() != null) {
            record = target.project(record);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ConfluentWireFormat.writeHeader(out, target.schemaId());
        write(target.writer(), record, out);
        return out.toByteArray();
    }

    /** The schema id this encoder frames feedback for {@code topic} with. */
    public int schemaId(String topic) {
        return target(topic).schemaId();
    }

    private Target target(String topic) {
        Target cached = targets.get(topic);
        if (cached != null) {
            return cached;
        }
        Target resolved = resolve(SchemaRegistryClient.valueSubject(topic));
        Target previous = targets.putIfAbsent(topic, resolved);
        return previous != null ? previous : resolved;
    }

    private Target resolve(String subject) {
        Schema ours = AvroAssessmentCodec.SCHEMA;
        if (useLatestVersion) {
            RegisteredSchema latest = registry.latest(subject);
            if (latest.schema().equals(ours)) {
                return new Target(latest.id(), WRITER, null);
            }
            SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), ours);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new IncompatibleSchemaException("the latest schema of subject " + subject + " (version "
                        + latest.version() + ", id " + latest.id() + ") cannot hold trace-monitor's Assessment records: "
                        + IncompatibleSchemaException.describe(compatibility), SchemaRegistryException.NONE, SchemaRegistryException.NONE);
            }
            return new Target(latest.id(), new GenericDatumWriter<>(latest.schema()),
                    new GenericDatumReader<>(ours, latest.schema(), GenericData.get()));
        }
        try {
            return new Target(registry.lookup(subject, ours).id(), WRITER, null);
        } catch (SchemaNotFoundException e) {
            if (!autoRegister) {
                throw new SchemaNotFoundException("the Assessment schema is not registered under subject " + subject
                        + " and auto.register.schemas=false: register schemas/Assessment.avsc there (" + e.getMessage() + ")",
                        e.status(), e.errorCode());
            }
            return new Target(registry.register(subject, ours), WRITER, null);
        }
    }

    private static void write(GenericDatumWriter<GenericRecord> writer, GenericRecord record, ByteArrayOutputStream out) {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode assessment", e);
        }
    }

    /** The schema id and writer for one topic; with a projection when the writer schema is not ours. */
    private record Target(int schemaId, GenericDatumWriter<GenericRecord> writer,
                          GenericDatumReader<GenericRecord> projection) {

        GenericRecord project(GenericRecord ours) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
            write(WRITER, ours, buffer);
            try {
                return projection.read(null, DecoderFactory.get().binaryDecoder(buffer.toByteArray(), null));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot project an assessment onto the registry's latest schema", e);
            }
        }
    }
}
