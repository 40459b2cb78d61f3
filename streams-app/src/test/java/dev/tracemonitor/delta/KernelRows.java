package dev.tracemonitor.delta;

import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Kernel rows as plain Java values (structs as maps by field name), so tests can compare what was read back. */
public final class KernelRows {

    private KernelRows() {
    }

    public static Map<String, Object> toJava(Row row) {
        Map<String, Object> values = new LinkedHashMap<>();
        StructType schema = row.getSchema();
        for (int i = 0; i < schema.length(); i++) {
            StructField field = schema.at(i);
            values.put(field.getName(), row.isNullAt(i) ? null : rowValue(row, i, field.getDataType()));
        }
        return values;
    }

    private static Object rowValue(Row row, int ordinal, DataType type) {
        if (type instanceof StringType) {
            return row.getString(ordinal);
        }
        if (type instanceof LongType || type instanceof TimestampType) {
            return row.getLong(ordinal);
        }
        if (type instanceof DateType) {
            return row.getInt(ordinal);
        }
        if (type instanceof BooleanType) {
            return row.getBoolean(ordinal);
        }
        if (type instanceof StructType) {
            return toJava(row.getStruct(ordinal));
        }
        if (type instanceof ArrayType arrayType) {
            return array(row.getArray(ordinal), arrayType);
        }
        if (type instanceof MapType) {
            return map(row.getMap(ordinal));
        }
        throw new IllegalArgumentException("unexpected type " + type);
    }

    private static Object vectorValue(ColumnVector vector, int i) {
        if (vector.isNullAt(i)) {
            return null;
        }
        DataType type = vector.getDataType();
        if (type instanceof StringType) {
            return vector.getString(i);
        }
        if (type instanceof LongType || type instanceof TimestampType) {
            return vector.getLong(i);
        }
        if (type instanceof DateType) {
            return vector.getInt(i);
        }
        if (type instanceof BooleanType) {
            return vector.getBoolean(i);
        }
        if (type instanceof StructType struct) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (int f = 0; f < struct.length(); f++) {
                values.put(struct.at(f).getName(), vectorValue(vector.getChild(f), i));
            }
            return values;
        }
        if (type instanceof ArrayType arrayType) {
            return array(vector.getArray(i), arrayType);
        }
        if (type instanceof MapType) {
            return map(vector.getMap(i));
        }
        throw new IllegalArgumentException("unexpected type " + type);
    }

    private static List<Object> array(ArrayValue array, ArrayType type) {
        List<Object> list = new ArrayList<>();
        ColumnVector elements = array.getElements();
        for (int i = 0; i < array.getSize(); i++) {
            list.add(vectorValue(elements, i));
        }
        return list;
    }

    private static Map<String, String> map(MapValue map) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < map.getSize(); i++) {
            values.put(map.getKeys().getString(i), map.getValues().isNullAt(i) ? null : map.getValues().getString(i));
        }
        return values;
    }
}
