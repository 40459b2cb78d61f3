package dev.tracemonitor.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.DataType;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** Growable, append-only builders of the {@link Vectors}: one pass over the traces fills every column. */
final class ColumnBuilders {

    private static final int INITIAL_CAPACITY = 16;

    private ColumnBuilders() {
    }

    static int grow(int capacity, int needed) {
        return Math.max(needed, capacity + (capacity >> 1) + 1);
    }

    /** Null flags, allocated on the first null. */
    static final class NullMask {
        private boolean[] flags;

        void mark(int index) {
            if (flags == null) {
                flags = new boolean[Math.max(INITIAL_CAPACITY, index + 1)];
            } else if (index >= flags.length) {
                flags = Arrays.copyOf(flags, grow(flags.length, index + 1));
            }
            flags[index] = true;
        }

        boolean[] build(int size) {
            return flags == null ? null : Arrays.copyOf(flags, Math.max(size, flags.length));
        }
    }

    static final class StringColumn {
        private String[] values = new String[INITIAL_CAPACITY];
        private int size;

        void add(String value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, grow(values.length, size + 1));
            }
            values[size++] = value;
        }

        int size() {
            return size;
        }

        ColumnVector build() {
            return new Vectors.Strings(values, size);
        }
    }

    /** LONG or TIMESTAMP values. */
    static final class LongColumn {
        private final DataType type;
        private final NullMask nulls = new NullMask();
        private long[] values = new long[INITIAL_CAPACITY];
        private int size;

        LongColumn(DataType type) {
            this.type = type;
        }

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, grow(values.length, size + 1));
            }
            values[size++] = value;
        }

        void addNull() {
            nulls.mark(size);
            add(0L);
        }

        void add(Long value) {
            if (value == null) {
                addNull();
            } else {
                add(value.longValue());
            }
        }

        ColumnVector build() {
            return new Vectors.Longs(type, values, nulls.build(size), size);
        }
    }

    static final class BooleanColumn {
        private boolean[] values = new boolean[INITIAL_CAPACITY];
        private int size;

        void add(boolean value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, grow(values.length, size + 1));
            }
            values[size++] = value;
        }

        ColumnVector build() {
            return new Vectors.Booleans(values, null, size);
        }
    }

    /** INTEGER or DATE values. */
    static final class IntColumn {
        private final DataType type;
        private int[] values = new int[INITIAL_CAPACITY];
        private int size;

        IntColumn(DataType type) {
            this.type = type;
        }

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, grow(values.length, size + 1));
            }
            values[size++] = value;
        }

        ColumnVector build() {
            return new Vectors.Ints(type, values, null, size);
        }
    }

    /** Row boundaries of a nested column: row i spans child rows {@code [offsets[i], offsets[i + 1])}. */
    static final class Offsets {
        private final NullMask nulls = new NullMask();
        private int[] offsets = new int[INITIAL_CAPACITY + 1];
        private int size;

        /** Closes the current row; {@code childSize} is the child column's size after this row's elements. */
        void endRow(int childSize) {
            if (size + 1 == offsets.length) {
                offsets = Arrays.copyOf(offsets, grow(offsets.length, size + 2));
            }
            offsets[++size] = childSize;
        }

        void nullRow(int childSize) {
            nulls.mark(size);
            endRow(childSize);
        }

        int size() {
            return size;
        }

        int[] offsets() {
            return offsets;
        }

        boolean[] nulls() {
            return nulls.build(size);
        }
    }

    /** map&lt;string,string&gt;, optionally leaving out some keys. */
    static final class StringMapColumn {
        private final Offsets offsets = new Offsets();
        private final StringColumn keys = new StringColumn();
        private final StringColumn values = new StringColumn();

        void add(Map<String, String> map) {
            add(map, Set.of());
        }

        void add(Map<String, String> map, Set<String> excludedKeys) {
            if (map == null) {
                offsets.nullRow(keys.size());
                return;
            }
            for (Map.Entry<String, String> entry : map.entrySet()) {
                if (!excludedKeys.contains(entry.getKey())) {
                    keys.add(entry.getKey());
                    values.add(entry.getValue());
                }
            }
            offsets.endRow(keys.size());
        }

        ColumnVector build() {
            return new Vectors.Maps(TraceLogsSchema.STRING_MAP, offsets.offsets(), keys.build(), values.build(),
                    offsets.nulls(), offsets.size());
        }
    }
}
