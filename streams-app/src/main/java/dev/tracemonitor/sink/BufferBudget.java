package dev.tracemonitor.sink;

/**
 * The memory bound of a {@link DeltaSink}: the one count of record bytes buffered over all its tables. A
 * {@link SinkTable} reserves what it buffers and releases it when the rows are written to a data file or dropped; while
 * the count is past the bound the sink writes out the largest buffer. Used on the sink thread only.
 */
final class BufferBudget {

    private final long maxBytes;
    private long bytes;

    BufferBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void reserve(long recordBytes) {
        bytes += recordBytes;
    }

    void release(long recordBytes) {
        bytes -= recordBytes;
    }

    boolean exceeded() {
        return bytes > maxBytes;
    }
}
