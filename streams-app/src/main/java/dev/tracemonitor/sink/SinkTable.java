package dev.tracemonitor.sink;

import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.DeltaTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sink's pending rows of one table: the rows buffered per partition date (their bytes reserved in the sink's
 * {@link BufferBudget}), the data files written since the last commit, and the source partitions they came from; a
 * flush seals them ({@link #seal}) so that the sink goes on adding rows while the flush commits. What the table has
 * committed is in {@link PartitionPositions}. Rows are those of the sink's {@link SinkTableKind}, the
 * type its {@link DeltaTable} writes.
 */
final class SinkTable {

    private final String path;
    private final DeltaTable<Object> delta;
    private final BufferBudget budget;
    private Pending current = new Pending();
    private boolean incompatible;

    @SuppressWarnings("unchecked")
    SinkTable(String path, DeltaTable<?> delta, BufferBudget budget) {
        this.path = path;
        this.budget = budget;
        // rows come from the same SinkTableKind that opened the table: SinkTableKind.decode yields its row type
        this.delta = (DeltaTable<Object>) delta;
    }

    String path() {
        return path;
    }

    DeltaTable<Object> delta() {
        return delta;
    }

    /** Buffers a row of the given partition date; returns the number of rows now buffered for that date. */
    int add(int partition, long offset, int date, Object row, long bytes) {
        return current.add(partition, offset, date, row, bytes);
    }

    long pendingRows() {
        return current.rows;
    }

    /** The partition date holding the most buffered bytes, or null when nothing is buffered. */
    Integer largestBuffer() {
        Integer largest = null;
        long most = -1;
        for (Map.Entry<Integer, Buffer> entry : current.buffers.entrySet()) {
            if (entry.getValue().bytes > most) {
                most = entry.getValue().bytes;
                largest = entry.getKey();
            }
        }
        return largest;
    }

    long largestBufferBytes() {
        Integer date = largestBuffer();
        return date == null ? 0 : current.buffers.get(date).bytes;
    }

    /** Writes one date's buffered rows to data files. */
    void writeBuffer(int date) throws IOException {
        current.writeBuffer(date);
    }

    boolean hasPending() {
        return current.hasPending();
    }

    /** The source partitions with rows buffered or written since the last commit. */
    Set<Integer> contributing() {
        return current.contributing();
    }

    /** The offset of each contributing partition's first row since the last commit. */
    Map<Integer, Long> firstPendingOffsets() {
        return Collections.unmodifiableMap(current.firstPendingOffsets);
    }

    /**
     * Hands over everything since the last commit to a flush, which writes and commits it on another thread; rows
     * added from now on go to a new, empty set.
     */
    Pending seal() {
        Pending sealed = current;
        current = new Pending();
        return sealed;
    }

    /** A sealed set that was not committed comes back, before the rows added since it was sealed. */
    void unseal(Pending sealed) {
        Pending later = current;
        current = sealed;
        later.firstPendingOffsets.forEach(current.firstPendingOffsets::putIfAbsent);
        later.buffers.forEach((date, buffer) -> {
            Buffer into = current.buffers.computeIfAbsent(date, d -> new Buffer());
            into.rows.addAll(buffer.rows);
            into.bytes += buffer.bytes;
        });
        current.files.addAll(later.files);
        current.rows += later.rows;
    }

    /** Drops everything since the last commit, deleting written files. */
    void abandon() {
        current.abandon();
    }

    boolean isIncompatible() {
        return incompatible;
    }

    /** The table cannot take the sink's rows (another schema): drops the pending ones; returns how many were dropped. */
    long markIncompatible() {
        long dropped = current.rows;
        abandon();
        incompatible = true;
        return dropped;
    }

    /**
     * The rows of this table since its last commit (or since they were sealed): buffered per partition date, their
     * bytes reserved in the sink's {@link BufferBudget}, and the data files written from them. A sealed set is used
     * by the one flush thread that writes and commits it.
     */
    final class Pending {
        private final Map<Integer, Buffer> buffers = new TreeMap<>();
        private final List<DataFile> files = new ArrayList<>();
        private final Map<Integer, Long> firstPendingOffsets = new TreeMap<>();
        private long rows;

        private int add(int partition, long offset, int date, Object row, long bytes) {
            Buffer buffer = buffers.computeIfAbsent(date, d -> new Buffer());
            buffer.rows.add(row);
            buffer.bytes += bytes;
            budget.reserve(bytes);
            rows++;
            firstPendingOffsets.putIfAbsent(partition, offset);
            return buffer.rows.size();
        }

        private void writeBuffer(int date) throws IOException {
            Buffer buffer = buffers.get(date);
            if (buffer == null) {
                return;
            }
            files.addAll(delta.write(date, buffer.rows));
            buffers.remove(date);
            budget.release(buffer.bytes);
        }

        /** Writes every buffer to data files. */
        void writeAllBuffers() throws IOException {
            for (Integer date : new ArrayList<>(buffers.keySet())) {
                writeBuffer(date);
            }
        }

        boolean hasPending() {
            return !files.isEmpty() || !buffers.isEmpty();
        }

        List<DataFile> files() {
            return Collections.unmodifiableList(files);
        }

        Set<Integer> contributing() {
            return Collections.unmodifiableSet(firstPendingOffsets.keySet());
        }

        long rows() {
            return rows;
        }

        /** Drops these rows, deleting their written files. */
        void abandon() {
            delta.delete(files);
            files.clear();
            buffers.values().forEach(buffer -> budget.release(buffer.bytes));
            buffers.clear();
            firstPendingOffsets.clear();
            rows = 0;
        }
    }

    private static final class Buffer {
        private final List<Object> rows = new ArrayList<>();
        private long bytes;
    }
}
