package dev.tracemonitor.serde;

import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.Trace;

/**
 * Turns a record value of the traces topic into a {@link Trace}, whatever the producers' format (see
 * {@link TraceFormats}). Implementations are thread-safe.
 */
public interface TraceDecoder {

    /**
     * @throws InvalidTraceException the value cannot be a trace: dead-letter it with the message as the reason
     * @throws SchemaRegistryUnavailableException (Avro) the registry could not be reached: retry, the record may be fine
     * @throws SchemaRegistryException (Avro) the registry refused us, e.g. bad credentials: a configuration problem
     */
    Trace decode(String topic, byte[] value) throws InvalidTraceException;

    /**
     * {@link #decode}, with the value itself when it can stand for the trace's MLflow JSON: never, unless the format
     * is that JSON.
     */
    default ReceivedTrace decodeReceived(String topic, byte[] value) throws InvalidTraceException {
        return new ReceivedTrace(decode(topic, value), null);
    }
}
