package dev.tracemonitor.serde;

/**
 * A Schema Registry call failed for a reason retrying will not fix (bad credentials, a rejected schema, an answer that
 * is not the registry API). Carries the HTTP status and the registry's {@code error_code} when there was an answer.
 */
public class SchemaRegistryException extends RuntimeException {

    public static final int NONE = -1;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message) {
        this(message, NONE, NONE, null);
    }

    /** The HTTP status of the registry's answer, or {@link #NONE} when there was no answer. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code} (e.g. 40403), or {@link #NONE} when it gave none. */
    public int errorCode() {
        return errorCode;
    }
}
