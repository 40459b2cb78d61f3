package dev.tracemonitor.serde;

import dev.tracemonitor.model.Assessment;

/**
 * Turns a judge result into a record value of the feedback topic, in the format its consumers read (see
 * {@link TraceFormats}). Implementations are thread-safe.
 */
public interface AssessmentEncoder {

    /**
     * @throws SchemaRegistryUnavailableException (Avro) the registry could not be reached to register or look up the
     *         schema: retry later
     * @throws SchemaRegistryException (Avro) the registry refused the schema or the credentials
     */
    byte[] encode(String topic, Assessment assessment);
}
