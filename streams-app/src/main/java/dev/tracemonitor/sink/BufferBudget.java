package dev.tracemonitor.sink;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory bound of a {@link DeltaSink}: the one count of record bytes buffered over all its tables. A
 * {@link SinkTable} reserves what it buffers and releases it when the rows are written to a data file or dropped; while
 * the count is past the bound the sink writes out the largest buffer. Reserved on the sink thread; released there or
 * by the flush's writers, which write the tables of a flush in parallel.
 */
final class BufferBudget {

    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();

    BufferBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void reserve(long recordBytes) {
        bytes.addAndGet(recordBytes);
    }

    void release(long recordBytes) {
        bytes.addAndGet(-recordBytes);
    }

    boolean exceeded() {
        return bytes.get() > maxBytes;
    }
}
