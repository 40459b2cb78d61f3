package dev.tracemonitor.sink;

import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.DeltaTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sink's state for one table: the source-partition versions the table has committed (what not to write again),
 * the rows buffered per partition date, and the data files written since the last commit. Rows are those of the
 * sink's {@link SinkTableKind}, the type its {@link DeltaTable} writes.
 */
final class SinkTable {

    private final String path;
    private final DeltaTable<Object> delta;
    private final Map<Integer, Long> committed = new HashMap<>();
    private final Map<Integer, Buffer> buffers = new TreeMap<>();
    private final List<DataFile> files = new ArrayList<>();
    private final Map<Integer, Long> firstPendingOffsets = new TreeMap<>();
    private long bufferedBytes;
    private long pendingRows;
    private boolean incompatible;

    @SuppressWarnings("unchecked")
    SinkTable(String path, DeltaTable<?> delta) {
        this.path = path;
        // rows come from the same SinkTableKind that opened the table: SinkTableKind.decode yields its row type
        this.delta = (DeltaTable<Object>) delta;
    }

    String path() {
        return path;
    }

    DeltaTable<Object> delta() {
        return delta;
    }

    /** The offset up to which the table holds a source partition's records, or null if it holds none. */
    Long committed(int partition) {
        return committed.get(partition);
    }

    void setCommitted(int partition, Long version) {
        if (version == null) {
            committed.remove(partition);
        } else {
            committed.put(partition, version);
        }
    }

    void clearCommitted() {
        committed.clear();
    }

    /** Buffers a row of the given partition date; returns the number of rows now buffered for that date. */
    int add(int partition, long offset, int date, Object row, long bytes) {
        Buffer buffer = buffers.computeIfAbsent(date, d -> new Buffer());
        buffer.rows.add(row);
        buffer.bytes += bytes;
        bufferedBytes += bytes;
        pendingRows++;
        firstPendingOffsets.putIfAbsent(partition, offset);
        return buffer.rows.size();
    }

    long pendingRows() {
        return pendingRows;
    }

    long bufferedBytes() {
        return bufferedBytes;
    }

    /** The partition date holding the most buffered bytes, or null when nothing is buffered. */
    Integer largestBuffer() {
        Integer largest = null;
        long most = -1;
        for (Map.Entry<Integer, Buffer> entry : buffers.entrySet()) {
            if (entry.getValue().bytes > most) {
                most = entry.getValue().bytes;
                largest = entry.getKey();
            }
        }
        return largest;
    }

    long largestBufferBytes() {
        Integer date = largestBuffer();
        return date == null ? 0 : buffers.get(date).bytes;
    }

    /** Writes one date's buffered rows to data files; returns the bytes no longer buffered. */
    long writeBuffer(int date) throws IOException {
        Buffer buffer = buffers.get(date);
        if (buffer == null) {
            return 0;
        }
        files.addAll(delta.write(date, buffer.rows));
        buffers.remove(date);
        bufferedBytes -= buffer.bytes;
        return buffer.bytes;
    }

    /** Writes every buffer to data files; returns the bytes no longer buffered. */
    long writeAllBuffers() throws IOException {
        long freed = 0;
        for (Integer date : new ArrayList<>(buffers.keySet())) {
            freed += writeBuffer(date);
        }
        return freed;
    }

    boolean hasPending() {
        return !files.isEmpty() || !buffers.isEmpty();
    }

    List<DataFile> files() {
        return Collections.unmodifiableList(files);
    }

    /** The source partitions with rows buffered or written since the last commit. */
    Set<Integer> contributing() {
        return Collections.unmodifiableSet(firstPendingOffsets.keySet());
    }

    /**
     * For each contributing partition the table holds no version of: the offset just before the partition's first
     * uncommitted row (the table holds every row of the partition up to there, as it holds none at all).
     */
    Map<Integer, Long> baselineVersions() {
        Map<Integer, Long> baseline = new TreeMap<>();
        firstPendingOffsets.forEach((partition, offset) -> {
            if (!committed.containsKey(partition)) {
                baseline.put(partition, offset - 1);
            }
        });
        return baseline;
    }

    void markBaseline(Map<Integer, Long> versions) {
        committed.putAll(versions);
    }

    void markCommitted(Map<Integer, Long> versions) {
        committed.putAll(versions);
        files.clear();
        firstPendingOffsets.clear();
        pendingRows = 0;
    }

    /** Drops everything since the last commit, deleting written files; returns the bytes no longer buffered. */
    long abandon() {
        long freed = bufferedBytes;
        delta.delete(files);
        files.clear();
        buffers.clear();
        firstPendingOffsets.clear();
        bufferedBytes = 0;
        pendingRows = 0;
        return freed;
    }

    boolean isIncompatible() {
        return incompatible;
    }

    void markIncompatible() {
        incompatible = true;
    }

    private static final class Buffer {
        private final List<Object> rows = new ArrayList<>();
        private long bytes;
    }
}
