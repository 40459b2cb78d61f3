package dev.tracemonitor.delta;

import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.List;

/**
 * Array-backed Kernel column vectors: what {@link TraceRowConverter} hands to Kernel's Parquet writer. Nested values
 * (arrays, maps) are flat child vectors plus offsets; a row's array or map is a zero-copy {@link Slice} of the child.
 */
final class Vectors {

    private Vectors() {
    }

    /** A vector whose null flags are an optional array (absent when the column has no nulls). */
    abstract static class Base implements ColumnVector {
        private final DataType type;
        private final int size;
        private final boolean[] nulls;

        Base(DataType type, int size, boolean[] nulls) {
            this.type = type;
            this.size = size;
            this.nulls = nulls;
        }

        @Override
        public DataType getDataType() {
            return type;
        }

        @Override
        public int getSize() {
            return size;
        }

        @Override
        public boolean isNullAt(int rowId) {
            return nulls != null && nulls[rowId];
        }

        @Override
        public void close() {
        }
    }

    static final class Strings extends Base {
        private final String[] values;

        Strings(String[] values, int size) {
            super(StringType.STRING, size, null);
            this.values = values;
        }

        @Override
        public boolean isNullAt(int rowId) {
            return values[rowId] == null;
        }

        @Override
        public String getString(int rowId) {
            return values[rowId];
        }
    }

    /** LONG and TIMESTAMP (microseconds) columns. */
    static final class Longs extends Base {
        private final long[] values;

        Longs(DataType type, long[] values, boolean[] nulls, int size) {
            super(type, size, nulls);
            this.values = values;
        }

        @Override
        public long getLong(int rowId) {
            return values[rowId];
        }
    }

    static final class Booleans extends Base {
        private final boolean[] values;

        Booleans(boolean[] values, boolean[] nulls, int size) {
            super(BooleanType.BOOLEAN, size, nulls);
            this.values = values;
        }

        @Override
        public boolean getBoolean(int rowId) {
            return values[rowId];
        }
    }

    /** INTEGER and DATE (days since epoch) columns. */
    static final class Ints extends Base {
        private final int[] values;

        Ints(DataType type, int[] values, boolean[] nulls, int size) {
            super(type, size, nulls);
            this.values = values;
        }

        @Override
        public int getInt(int rowId) {
            return values[rowId];
        }
    }

    static final class Struct extends Base {
        private final ColumnVector[] children;

        Struct(StructType type, ColumnVector[] children, boolean[] nulls, int size) {
            super(type, size, nulls);
            this.children = children;
        }

        @Override
        public ColumnVector getChild(int ordinal) {
            return children[ordinal];
        }
    }

    static final class Arrays extends Base {
        private final int[] offsets;
        private final ColumnVector elements;

        Arrays(ArrayType type, int[] offsets, ColumnVector elements, boolean[] nulls, int size) {
            super(type, size, nulls);
            this.offsets = offsets;
            this.elements = elements;
        }

        @Override
        public ArrayValue getArray(int rowId) {
            int start = offsets[rowId];
            int length = offsets[rowId + 1] - start;
            return new ArrayValue() {
                @Override
                public int getSize() {
                    return length;
                }

                @Override
                public ColumnVector getElements() {
                    return new Slice(elements, start, length);
                }
            };
        }
    }

    static final class Maps extends Base {
        private final int[] offsets;
        private final ColumnVector keys;
        private final ColumnVector values;

        Maps(MapType type, int[] offsets, ColumnVector keys, ColumnVector values, boolean[] nulls, int size) {
            super(type, size, nulls);
            this.offsets = offsets;
            this.keys = keys;
            this.values = values;
        }

        @Override
        public MapValue getMap(int rowId) {
            int start = offsets[rowId];
            int length = offsets[rowId + 1] - start;
            return new MapValue() {
                @Override
                public int getSize() {
                    return length;
                }

                @Override
                public ColumnVector getKeys() {
                    return new Slice(keys, start, length);
                }

                @Override
                public ColumnVector getValues() {
                    return new Slice(values, start, length);
                }
            };
        }
    }

    /** Rows {@code [offset, offset + size)} of another vector, renumbered from 0. */
    static final class Slice implements ColumnVector {
        private final ColumnVector base;
        private final int offset;
        private final int size;

        Slice(ColumnVector base, int offset, int size) {
            this.base = base;
            this.offset = offset;
            this.size = size;
        }

        @Override
        public DataType getDataType() {
            return base.getDataType();
        }

        @Override
        public int getSize() {
            return size;
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isNullAt(int rowId) {
            return base.isNullAt(offset + rowId);
        }

        @Override
        public int getInt(int rowId) {
            return base.getInt(offset + rowId);
        }

        @Override
        public boolean getBoolean(int rowId) {
            return base.getBoolean(offset + rowId);
        }

        @Override
        public long getLong(int rowId) {
            return base.getLong(offset + rowId);
        }

        @Override
        public String getString(int rowId) {
            return base.getString(offset + rowId);
        }

        @Override
        public MapValue getMap(int rowId) {
            return base.getMap(offset + rowId);
        }

        @Override
        public ArrayValue getArray(int rowId) {
            return base.getArray(offset + rowId);
        }

        @Override
        public ColumnVector getChild(int ordinal) {
            return new Slice(base.getChild(ordinal), offset, size);
        }
    }

    /** A batch of top-level vectors; supports the column removal Kernel applies to partition columns. */
    static final class Batch implements ColumnarBatch {
        private final StructType schema;
        private final ColumnVector[] columns;
        private final int size;

        Batch(StructType schema, ColumnVector[] columns, int size) {
            if (schema.length() != columns.length) {
                throw new IllegalArgumentException("schema has " + schema.length() + " fields, got " + columns.length);
            }
            this.schema = schema;
            this.columns = columns;
            this.size = size;
        }

        @Override
        public StructType getSchema() {
            return schema;
        }

        @Override
        public ColumnVector getColumnVector(int ordinal) {
            return columns[ordinal];
        }

        @Override
        public int getSize() {
            return size;
        }

        @Override
        public ColumnarBatch withDeletedColumnAt(int ordinal) {
            List<StructField> fields = new ArrayList<>(schema.fields());
            fields.remove(ordinal);
            ColumnVector[] remaining = new ColumnVector[columns.length - 1];
            System.arraycopy(columns, 0, remaining, 0, ordinal);
            System.arraycopy(columns, ordinal + 1, remaining, ordinal, columns.length - ordinal - 1);
            return new Batch(new StructType(fields), remaining, size);
        }
    }
}
