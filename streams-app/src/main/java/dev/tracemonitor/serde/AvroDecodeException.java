package dev.tracemonitor.serde;

import dev.tracemonitor.model.InvalidTraceException;

/**
 * Why a Confluent-framed Avro value cannot become a trace. It is an {@link InvalidTraceException}, so the topology
 * dead-letters the record with this message; {@link #reason()} is a stable category for metrics and DLQ headers.
 */
public final class AvroDecodeException extends InvalidTraceException {

    /** The kind of problem, from the framing outwards. */
    public enum Reason {
        TRUNCATED, BAD_MAGIC_BYTE, UNKNOWN_SCHEMA_ID, UNSUPPORTED_SCHEMA, INCOMPATIBLE_SCHEMA, MALFORMED_PAYLOAD
    }

    private final Reason reason;
    private final int schemaId;

    public AvroDecodeException(Reason reason, int schemaId, String message, Throwable cause) {
        super(message);
        this.reason = reason;
        this.schemaId = schemaId;
        if (cause != null) {
            initCause(cause);
        }
    }

    public Reason reason() {
        return reason;
    }

    /** The schema id of the frame, or -1 when the frame was too broken to carry one. */
    public int schemaId() {
        return schemaId;
    }
}
