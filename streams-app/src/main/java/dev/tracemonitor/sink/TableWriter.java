package dev.tracemonitor.sink;

import dev.tracemonitor.delta.CommitOutcome;
import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.IncompatibleTableException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Delta side of a {@link DeltaSink}: writes a table's buffered rows out to data files when a bound is reached, and
 * at a flush commits each table's rows written since its last commit as one table version, carrying a transaction id
 * per source partition and fenced on the versions the sink last saw ({@link PartitionPositions}). A table holding no
 * version yet of a partition it has rows of first gets that partition's baseline (the offset before its first such
 * row), so that at every moment each table with uncommitted rows of a partition holds a version below them and a
 * restart resumes early enough. A table that already holds the versions (another writer was there first) or whose
 * files have gone drops its rows, and the sink reads them again from the tables' positions. Called on the sink thread
 * only; the tables of a flush are written and committed in parallel on the writers' threads.
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
    private final ExecutorService writers;

    /** @param writers runs the writing and committing of the tables of a flush, in parallel */
    TableWriter(Warehouse warehouse, PartitionPositions positions, SinkCounters counters, ExecutorService writers) {
        this.warehouse = warehouse;
        this.positions = positions;
        this.counters = counters;
        this.writers = writers;
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
     * A flush under way: the tables it commits with the partitions they had rows of, the sealed rows of each table
     * being written and committed on a writer thread, and the running totals.
     */
    static final class Flush {
        private final FlushReason reason;
        private final Map<SinkTable, Set<Integer>> pending;
        private final boolean baselined;
        private final Totals totals;
        private final List<Prepared> prepared = new ArrayList<>();
        private final List<Future<Attempt>> attempts = new ArrayList<>();
        private final Map<SinkTable, CommitResult> results = new HashMap<>();

        private Flush(FlushReason reason, Map<SinkTable, Set<Integer>> pending, boolean baselined, Totals totals) {
            this.reason = reason;
            this.pending = pending;
            this.baselined = baselined;
            this.totals = totals;
        }

        /** Whether every table's write and commit has ended, so that {@link #finish} does not wait. */
        boolean isDone() {
            return attempts.stream().allMatch(Future::isDone);
        }
    }

    /**
     * Starts committing every given table's pending rows: first the baselines they need, here (if one fails, nothing
     * is committed), then each table's rows are sealed ({@link SinkTable#seal}) and written and committed as one
     * version on a writer thread, the tables in parallel. The sink goes on adding rows meanwhile; {@link #finish}
     * applies the outcomes.
     */
    Flush start(Collection<SinkTable> pendingTables, FlushReason reason) {
        Map<SinkTable, Set<Integer>> pending = new HashMap<>();
        pendingTables.forEach(table -> pending.put(table, Set.copyOf(table.contributing())));
        Totals totals = new Totals();
        boolean baselined = commitBaselines(pending.keySet(), totals);
        Flush flush = new Flush(reason, pending, baselined, totals);
        if (!baselined) {
            return flush;
        }
        for (SinkTable table : pending.keySet()) {
            if (!table.hasPending()) {
                continue;
            }
            Map<Integer, Long> versions = positions.commitVersions(table);
            if (!versions.keySet().containsAll(table.contributing())) {
                log.error("{} has rows of partitions {} without a position among {}; dropping them", table.path(),
                        table.contributing(), versions.keySet());
                drop(table, totals);
                flush.results.put(table, CommitResult.DROPPED);
                continue;
            }
            Prepared plan = new Prepared(table, table.seal(), versions, positions.transactionIds(versions),
                    positions.expectedVersions(table, versions.keySet()));
            flush.prepared.add(plan);
            flush.attempts.add(writers.submit(() -> attempt(plan)));
        }
        return flush;
    }

    /**
     * Waits for the flush's commits and applies them to the positions. On a flush other than
     * {@link FlushReason#SCHEDULED} a table that was not committed drops its rows; on a scheduled one they are kept
     * for the next flush.
     */
    FlushOutcome finish(Flush flush) {
        for (int i = 0; i < flush.prepared.size(); i++) {
            Prepared plan = flush.prepared.get(i);
            flush.results.put(plan.table(), apply(plan, await(flush.attempts.get(i)), flush.reason, flush.totals));
        }
        Set<Integer> uncommitted = new TreeSet<>();
        boolean allCommitted = flush.baselined;
        for (Map.Entry<SinkTable, Set<Integer>> entry : flush.pending.entrySet()) {
            SinkTable table = entry.getKey();
            CommitResult result = flush.results.getOrDefault(table,
                    flush.baselined ? CommitResult.DROPPED : CommitResult.FAILED);
            if (result != CommitResult.COMMITTED) {
                allCommitted = false;
                uncommitted.addAll(entry.getValue());
                if (flush.reason != FlushReason.SCHEDULED && table.hasPending()) {
                    drop(table, flush.totals);
                }
            }
        }
        Totals totals = flush.totals;
        return new FlushOutcome(uncommitted, allCommitted, totals.dropped, totals.rows, totals.files, totals.bytes,
                totals.largestFile);
    }

    /**
     * Commits the baseline versions the tables need, in parallel (the sink thread waits); false if one failed: then
     * nothing may be committed, or a restart could resume a partition past rows only that table had.
     */
    private boolean commitBaselines(Collection<SinkTable> tables, Totals totals) {
        List<SinkTable> needing = new ArrayList<>();
        List<Map<Integer, Long>> baselines = new ArrayList<>();
        List<Future<CommitOutcome>> commits = new ArrayList<>();
        for (SinkTable table : tables) {
            Map<Integer, Long> baseline = positions.baseline(table);
            if (!baseline.isEmpty()) {
                Map<String, Long> ids = positions.transactionIds(baseline);
                needing.add(table);
                baselines.add(baseline);
                // expected: the table holds none of these partitions (that is why they need a baseline)
                commits.add(writers.submit(() -> table.delta().commit(List.of(), ids, Map.of())));
            }
        }
        boolean baselined = true;
        for (int i = 0; i < needing.size(); i++) {
            SinkTable table = needing.get(i);
            Map<Integer, Long> baseline = baselines.get(i);
            try {
                CommitOutcome outcome = result(commits.get(i));
                if (outcome instanceof CommitOutcome.Committed committed) {
                    positions.committed(table, baseline);
                    counters.committed(table.path(), committed);
                    log.info("{} version {}: first rows of partitions {} are pending", table.path(),
                            committed.version(), baseline.keySet());
                } else {
                    log.warn("{} already holds {} (wanted baseline {}): reading again from the table's positions",
                            table.path(), ((CommitOutcome.AlreadyWritten) outcome).committedVersions(), baseline);
                    drop(table, totals);
                }
            } catch (RuntimeException e) {
                counters.commitFailed();
                log.error("Commit to {} failed; nothing is committed in this flush", table.path(), e);
                baselined = false;
            }
        }
        return baselined;
    }

    /** The value of a writer's task; its failure (or an interruption) as an unchecked exception. */
    private static <T> T result(Future<T> task) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a commit", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    /**
     * One table's part of a flush: its sealed rows, and what its commit needs from the {@link PartitionPositions},
     * read on the sink thread before the rows are written and committed on a writer thread.
     */
    private record Prepared(SinkTable table, SinkTable.Pending sealed, Map<Integer, Long> versions,
                            Map<String, Long> transactionIds, Map<String, Long> expected) {
    }

    /** What writing and committing one table on a flush thread came to; applied on the sink thread. */
    private sealed interface Attempt {
        record Done(CommitOutcome outcome, long largestFile) implements Attempt {
        }

        record Incompatible(IncompatibleTableException cause) implements Attempt {
        }

        record WriteFailed(Exception cause) implements Attempt {
        }

        record FilesGone() implements Attempt {
        }

        record CommitFailed(Exception cause) implements Attempt {
        }
    }

    /**
     * Writes the sealed rows' remaining buffers and commits their files, on a writer thread; of the sink's state it
     * touches only those rows and the buffer budget (atomic). The sink thread may write files of the same table
     * meanwhile ({@link dev.tracemonitor.delta.DeltaTable#write}); only this thread commits to it.
     */
    private Attempt attempt(Prepared prepared) {
        SinkTable.Pending sealed = prepared.sealed();
        try {
            sealed.writeAllBuffers();
        } catch (IncompatibleTableException e) {
            return new Attempt.Incompatible(e);
        } catch (IOException | RuntimeException e) {
            return new Attempt.WriteFailed(e);
        }
        try {
            if (!warehouse.allExist(sealed.files())) {
                return new Attempt.FilesGone();
            }
            long largestFile = sealed.files().stream().mapToLong(DataFile::sizeBytes).max().orElse(0);
            return new Attempt.Done(prepared.table().delta().commit(sealed.files(), prepared.transactionIds(),
                    prepared.expected()), largestFile);
        } catch (IOException | RuntimeException e) {
            return new Attempt.CommitFailed(e);
        }
    }

    private static Attempt await(Future<Attempt> attempt) {
        try {
            return result(attempt);
        } catch (RuntimeException e) {
            return new Attempt.CommitFailed(e);
        }
    }

    private CommitResult apply(Prepared prepared, Attempt attempt, FlushReason reason, Totals totals) {
        SinkTable table = prepared.table();
        SinkTable.Pending sealed = prepared.sealed();
        if (attempt instanceof Attempt.Done done && done.outcome() instanceof CommitOutcome.Committed committed) {
            positions.committed(table, prepared.versions());
            totals.rows += committed.rows();
            totals.files += committed.files();
            totals.bytes += committed.bytes();
            totals.largestFile = Math.max(totals.largestFile, done.largestFile());
            counters.committed(table.path(), committed);
            log.info("Committed {} rows in {} files to {} as version {}{}", committed.rows(), committed.files(),
                    table.path(), committed.version(), committed.checkpointWritten() ? " (checkpoint written)" : "");
            return CommitResult.COMMITTED;
        }
        if (attempt instanceof Attempt.Done done) {
            log.warn("{} already holds {} (wanted {}): dropping the files and reading again from the table's positions",
                    table.path(), ((CommitOutcome.AlreadyWritten) done.outcome()).committedVersions(),
                    prepared.transactionIds());
        } else if (attempt instanceof Attempt.Incompatible incompatible) {
            counters.skipped(sealed.rows());
            sealed.abandon();
            markIncompatible(table, incompatible.cause());
            return CommitResult.DROPPED;
        } else if (attempt instanceof Attempt.FilesGone) {
            log.warn("Uncommitted data files of {} have disappeared; dropping them and reading their rows again",
                    table.path());
        } else {
            boolean writing = attempt instanceof Attempt.WriteFailed;
            Exception cause = writing ? ((Attempt.WriteFailed) attempt).cause() : ((Attempt.CommitFailed) attempt).cause();
            if (writing) {
                counters.writeFailed();
            } else {
                counters.commitFailed();
            }
            log.error("{} {} failed; its rows are {}", writing ? "Writing rows to" : "Commit to", table.path(),
                    reason == FlushReason.SCHEDULED ? "kept for the next flush" : "dropped", cause);
            if (reason == FlushReason.SCHEDULED) {
                table.unseal(sealed);
                return CommitResult.FAILED;
            }
        }
        sealed.abandon();
        totals.dropped = true;
        return attempt instanceof Attempt.Done || attempt instanceof Attempt.FilesGone ? CommitResult.DROPPED
                : CommitResult.FAILED;
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
