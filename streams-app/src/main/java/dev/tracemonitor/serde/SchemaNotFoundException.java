package dev.tracemonitor.serde;

/** The registry answered 404: no such schema id (40403), subject (40401) or version (40402). */
public final class SchemaNotFoundException extends SchemaRegistryException {

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;

    public SchemaNotFoundException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
    }
}
