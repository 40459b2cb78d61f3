package dev.tracemonitor.serde;

import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * A schema cannot be used with another: the registry refused a registration under its compatibility rules (409), or
 * Avro schema resolution says one schema cannot read data written with the other. The message names the subject or
 * schema ids and each incompatibility found.
 */
public final class IncompatibleSchemaException extends SchemaRegistryException {

    public IncompatibleSchemaException(String message, int status, int errorCode) {
        super(message, status, errorCode, null);
    }

    /** Each incompatibility Avro found, as {@code TYPE 'detail' at /json/pointer}, separated by "; ". */
    public static String describe(SchemaPairCompatibility compatibility) {
        StringBuilder s = new StringBuilder();
        for (Incompatibility i : compatibility.getResult().getIncompatibilities()) {
            if (s.length() > 0) {
                s.append("; ");
            }
            s.append(i.getType()).append(" '").append(i.getMessage()).append("' at ").append(i.getLocation());
        }
        return s.length() == 0 ? compatibility.getDescription() : s.toString();
    }
}
