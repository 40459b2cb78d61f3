package dev.tracemonitor.serde;

/**
 * The registry holds a schema this service cannot use: not Avro (JSON Schema, Protobuf), with schema references, or
 * not parseable as Avro.
 */
public final class UnsupportedSchemaException extends SchemaRegistryException {

    public UnsupportedSchemaException(String message, Throwable cause) {
        super(message, NONE, NONE, cause);
    }
}
