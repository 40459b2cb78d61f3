package dev.tracemonitor.serde;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/** Conversions shared by the Avro codecs: Avro's Utf8 strings and maps to Java's, optional unions to their branch. */
final class AvroValues {

    private AvroValues() {
    }

    static String string(Object value) {
        return value == null ? null : value.toString();
    }

    static String nonEmptyOrNull(Object value) {
        String s = string(value);
        return s == null || s.isEmpty() ? null : s;
    }

    static long longValue(Object value) {
        return value == null ? 0L : ((Number) value).longValue();
    }

    static Map<String, String> stringMap(Object value) {
        if (value == null) {
            return Map.of();
        }
        Map<?, ?> avro = (Map<?, ?>) value;
        Map<String, String> map = new HashMap<>(avro.size() * 2);
        avro.forEach((k, v) -> {
            if (v != null) {
                map.put(k.toString(), v.toString());
            }
        });
        return map;
    }

    static Collection<?> list(Object value) {
        return value == null ? List.of() : (Collection<?>) value;
    }

    /** The record (or other) branch of an optional {@code ["null", X]} union, or the schema itself. */
    static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                return branch;
            }
        }
        throw new IllegalArgumentException("union without a non-null branch: " + schema);
    }

    static Schema field(Schema record, String name) {
        Schema.Field field = record.getField(name);
        if (field == null) {
            throw new IllegalArgumentException(record.getFullName() + " has no field " + name);
        }
        return nonNull(field.schema());
    }
}
