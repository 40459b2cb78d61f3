package dev.tracemonitor.serde;

/**
 * The registry could not be reached, or kept answering 5xx / 408 / 429, through every bounded retry. The record is
 * not at fault: callers retry later, and only then dead-letter it with this message as the reason.
 */
public final class SchemaRegistryUnavailableException extends SchemaRegistryException {

    public SchemaRegistryUnavailableException(String message, int status, Throwable cause) {
        super(message, status, NONE, cause);
    }
}
