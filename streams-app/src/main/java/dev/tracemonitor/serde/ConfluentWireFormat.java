package dev.tracemonitor.serde;

import dev.tracemonitor.serde.AvroDecodeException.Reason;
import java.io.ByteArrayOutputStream;

/**
 * The framing Confluent's serializers put around a record value: magic byte 0, the schema id as a 4-byte big-endian
 * int, then the Avro binary encoding. Implemented here because Confluent's serializer artifacts are not available to
 * this build; the format is the contract that lets their producers and consumers talk to us.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /** The schema id of a framed value, after checking the magic byte and length. */
    public static int schemaId(byte[] value) {
        if (value == null || value.length == 0) {
            throw new AvroDecodeException(Reason.TRUNCATED, -1, "empty record value", null);
        }
        if (value[0] != MAGIC_BYTE) {
            throw new AvroDecodeException(Reason.BAD_MAGIC_BYTE, -1, String.format(
                    "not Confluent wire format: first byte is 0x%02x, expected magic byte 0x00%s",
                    value[0] & 0xff, value[0] == '{' ? " (the value looks like JSON: is the traces format set to avro by mistake?)" : ""),
                    null);
        }
        if (value.length < HEADER_LENGTH) {
            throw new AvroDecodeException(Reason.TRUNCATED, -1, "value of " + value.length
                    + " bytes is shorter than the 5-byte Confluent header (magic byte + schema id)", null);
        }
        return ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
    }

    /** Writes the 5-byte header for {@code schemaId}; the Avro binary follows it in the same stream. */
    public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }
}
