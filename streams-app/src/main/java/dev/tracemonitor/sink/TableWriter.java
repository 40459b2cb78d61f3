package dev.tracemonitor.sink;

import dev.tracemonitor.delta.CommitOutcome;
import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.IncompatibleTableException;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Delta side of a {@link DeltaSink}: writes a table's buffered rows out to data files when a bound is reached, and
 * at a flush commits each table's rows written since its last commit as one table version, carrying a transaction id
 * per source partition and fenced on the versions the sink last saw ({@link PartitionPositions}). A table holding no
 * version yet of a partition it has rows of first gets that partition's baseline (the offset before its first such
 * row), so that at every moment each table with uncommitted rows of a partition holds a version below them and a
 * restart resumes early enough. A table that already holds the versions (another writer was there first) or whose
 * files have gone drops its rows, and the sink reads them again from the tables' positions. Used on the sink thread
 * only.
 */
final class TableWriter {

    private static final Logger log = LoggerFactory.getLogger(TableWriter.class);

    /**
     * What the Delta side of one flush did.
     *
     * @param uncommittedPartitions source partitions with rows in a table that was not committed: their Kafka offsets
     *                              must not move
     * @param allCommitted          every table with pending rows was committed
     * @param dropped               a table's rows were dropped: the sink must read again from the tables' positions
     * @param largestFile           the largest data file committed, in bytes
     */
    record FlushOutcome(Set<Integer> uncommittedPartitions, boolean allCommitted, boolean dropped, long rows,
                        long files, long bytes, long largestFile) {
    }

    private enum CommitResult { COMMITTED, DROPPED, FAILED }

    /** The running totals of one flush. */
    private static final class Totals {
        private long rows;
        private long files;
        private long bytes;
        private long largestFile;
        private boolean dropped;
    }

    private final Warehouse warehouse;
    private final PartitionPositions positions;
    private final SinkCounters counters;

    TableWriter(Warehouse warehouse, PartitionPositions positions, SinkCounters counters) {
        this.warehouse = warehouse;
        this.positions = positions;
        this.counters = counters;
    }

    /**
     * Writes one date's buffered rows of the table to data files. Returns false when that failed: the rows are kept,
     * and the sink pauses consumption until a flush succeeds. A table with another schema is given up instead.
     */
    boolean writeBuffer(SinkTable table, int date) {
        try {
            table.writeBuffer(date);
        } catch (IncompatibleTableException e) {
            markIncompatible(table, e);
        } catch (IOException | RuntimeException e) {
            counters.writeFailed();
            log.error("Could not write rows to {}; pausing consumption until a flush succeeds", table.path(), e);
            return false;
        }
        return true;
    }

    /**
     * Commits every given table's pending rows: first the baselines they need (if one fails, nothing is committed),
     * then each table as one version. On a flush other than {@link FlushReason#SCHEDULED} a table that was not
     * committed drops its rows.
     */
    FlushOutcome commit(Collection<SinkTable> pendingTables, FlushReason reason) {
        Map<SinkTable, Set<Integer>> pending = new HashMap<>();
        pendingTables.forEach(table -> pending.put(table, Set.copyOf(table.contributing())));
        Totals totals = new Totals();
        boolean baselined = true;
        for (SinkTable table : pending.keySet()) {
            baselined &= commitBaseline(table, totals);
        }
        Set<Integer> uncommitted = new TreeSet<>();
        boolean allCommitted = baselined;
        for (Map.Entry<SinkTable, Set<Integer>> entry : pending.entrySet()) {
            SinkTable table = entry.getKey();
            CommitResult result = !table.hasPending() ? CommitResult.DROPPED
                    : baselined ? commit(table, totals) : CommitResult.FAILED;
            if (result != CommitResult.COMMITTED) {
                allCommitted = false;
                uncommitted.addAll(entry.getValue());
                if (reason != FlushReason.SCHEDULED && table.hasPending()) {
                    drop(table, totals);
                }
            }
        }
        return new FlushOutcome(uncommitted, allCommitted, totals.dropped, totals.rows, totals.files, totals.bytes,
                totals.largestFile);
    }

    /** Records the baseline versions a table needs; false if that failed (nothing may be committed then). */
    private boolean commitBaseline(SinkTable table, Totals totals) {
        Map<Integer, Long> baseline = positions.baseline(table);
        if (baseline.isEmpty()) {
            return true;
        }
        try {
            // expected: the table holds none of these partitions (that is why they need a baseline)
            CommitOutcome outcome = table.delta().commit(List.of(), positions.transactionIds(baseline), Map.of());
            if (outcome instanceof CommitOutcome.Committed committed) {
                positions.committed(table, baseline);
                counters.committed(table.path(), committed);
                log.info("{} version {}: first rows of partitions {} are pending", table.path(), committed.version(),
                        baseline.keySet());
            } else {
                log.warn("{} already holds {} (wanted baseline {}): reading again from the table's positions",
                        table.path(), ((CommitOutcome.AlreadyWritten) outcome).committedVersions(), baseline);
                drop(table, totals);
            }
            return true;
        } catch (RuntimeException e) {
            counters.commitFailed();
            log.error("Commit to {} failed; nothing is committed in this flush", table.path(), e);
            return false;
        }
    }

    private CommitResult commit(SinkTable table, Totals totals) {
        Map<Integer, Long> versions = positions.commitVersions(table);
        if (!versions.keySet().containsAll(table.contributing())) {
            log.error("{} has rows of partitions {} without a position among {}; dropping them", table.path(),
                    table.contributing(), versions.keySet());
            drop(table, totals);
            return CommitResult.DROPPED;
        }
        try {
            table.writeAllBuffers();
        } catch (IncompatibleTableException e) {
            markIncompatible(table, e);
            return CommitResult.DROPPED;
        } catch (IOException | RuntimeException e) {
            counters.writeFailed();
            log.error("Could not write rows to {}", table.path(), e);
            return CommitResult.FAILED;
        }
        try {
            if (!warehouse.allExist(table.files())) {
                log.warn("Uncommitted data files of {} have disappeared; dropping them and reading their rows again",
                        table.path());
                drop(table, totals);
                return CommitResult.DROPPED;
            }
            Map<String, Long> transactionIds = positions.transactionIds(versions);
            Map<String, Long> expected = positions.expectedVersions(table, versions.keySet());
            long largestFile = table.files().stream().mapToLong(DataFile::sizeBytes).max().orElse(0);
            CommitOutcome outcome = table.delta().commit(table.files(), transactionIds, expected);
            if (outcome instanceof CommitOutcome.Committed committed) {
                positions.committed(table, versions);
                table.filesCommitted();
                totals.rows += committed.rows();
                totals.files += committed.files();
                totals.bytes += committed.bytes();
                totals.largestFile = Math.max(totals.largestFile, largestFile);
                counters.committed(table.path(), committed);
                log.info("Committed {} rows in {} files to {} as version {}{}", committed.rows(), committed.files(),
                        table.path(), committed.version(), committed.checkpointWritten() ? " (checkpoint written)" : "");
                return CommitResult.COMMITTED;
            }
            log.warn("{} already holds {} (wanted {}): dropping the files and reading again from the table's positions",
                    table.path(), ((CommitOutcome.AlreadyWritten) outcome).committedVersions(), transactionIds);
            drop(table, totals);
            return CommitResult.DROPPED;
        } catch (IOException | RuntimeException e) {
            counters.commitFailed();
            log.error("Commit to {} failed; its files are kept for the next flush", table.path(), e);
            return CommitResult.FAILED;
        }
    }

    private void markIncompatible(SinkTable table, IncompatibleTableException e) {
        log.error("Skipping every record for {}: {}", table.path(), e.getMessage());
        counters.skipped(table.markIncompatible());
    }

    private static void drop(SinkTable table, Totals totals) {
        table.abandon();
        totals.dropped = true;
    }
}
