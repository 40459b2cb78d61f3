package dev.tracemonitor.serde;

import dev.tracemonitor.model.Assessment;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Picks the decoder of the traces topic and the encoder of the feedback topic from a format name: {@code json}
 * (MLflow JSON, the default) or {@code avro} (Confluent wire format with a Schema Registry, configured by the keys of
 * {@link SchemaRegistrySettings} plus {@value #AUTO_REGISTER_SCHEMAS} and {@value #USE_LATEST_VERSION}). Create each
 * once and share it: they cache schemas and are thread-safe. Readers of the service's own feedback need no setting:
 * {@link #decodeFeedback} tells the formats apart by their first byte.
 */
public final class TraceFormats {

    public static final String JSON = "json";
    public static final String AVRO = "avro";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";

    private TraceFormats() {
    }

    public static TraceDecoder decoder(String format, Map<String, ?> settings) {
        return switch (normalize(format)) {
            case JSON -> new JsonTraceDecoder();
            case AVRO -> new AvroTraceDecoder(new SchemaRegistryClient(SchemaRegistrySettings.fromConfig(settings)));
            default -> throw unknown(format);
        };
    }

    public static AssessmentEncoder encoder(String format, Map<String, ?> settings) {
        return switch (normalize(format)) {
            case JSON -> new JsonAssessmentEncoder();
            case AVRO -> new AvroAssessmentEncoder(new SchemaRegistryClient(SchemaRegistrySettings.fromConfig(settings)),
                    flag(settings, AUTO_REGISTER_SCHEMAS, true), flag(settings, USE_LATEST_VERSION, false));
            default -> throw unknown(format);
        };
    }

    /**
     * Reads a record of the feedback topic as the service wrote it, in either format: Avro in the Confluent framing
     * (read with the contract schema {@code schemas/Assessment.avsc}, no registry call), or MLflow JSON.
     */
    public static Assessment decodeFeedback(byte[] value) {
        if (value != null && value.length > ConfluentWireFormat.HEADER_LENGTH && value[0] == ConfluentWireFormat.MAGIC_BYTE) {
            return AvroAssessmentCodec.fromFramed(value);
        }
        return TraceJsonCodec.decodeAssessment(value);
    }

    private static String normalize(String format) {
        return format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    }

    private static ConfigException unknown(String format) {
        return new ConfigException("unknown format '" + format + "': supported formats are json and avro");
    }

    private static boolean flag(Map<String, ?> settings, String key, boolean defaultValue) {
        Object value = settings.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key, value, "must be true or false");
    }
}
