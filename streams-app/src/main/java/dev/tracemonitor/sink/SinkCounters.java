package dev.tracemonitor.sink;

import dev.tracemonitor.delta.CommitOutcome;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link DeltaSink} has done since it started, counted on the sink thread and read as {@link SinkStats} by
 * any thread (progress output, metrics, tests).
 */
final class SinkCounters {

    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong skippedRecords = new AtomicLong();
    private final AtomicLong recordsAlreadyCommitted = new AtomicLong();
    private final AtomicLong rowsCommitted = new AtomicLong();
    private final Map<String, AtomicLong> rowsPerTable = new ConcurrentHashMap<>();
    private final AtomicLong dataFiles = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong versions = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong lastFlushNanos = new AtomicLong();
    private final AtomicLong failedWrites = new AtomicLong();
    private final AtomicLong failedCommits = new AtomicLong();
    private final AtomicLong lastFlushRows = new AtomicLong();
    private final AtomicLong lastFlushFiles = new AtomicLong();
    private final AtomicLong lastFlushBytes = new AtomicLong();
    private final AtomicLong conflictsRetried = new AtomicLong();
    private final AtomicLong longestPollGapNanos = new AtomicLong();

    void recordRead() {
        recordsRead.incrementAndGet();
    }

    /** The time between a poll's return and the next poll: records handled, files written, flushes. */
    void pollGap(long nanos) {
        longestPollGapNanos.accumulateAndGet(nanos, Math::max);
    }

    void skipped(long records) {
        skippedRecords.addAndGet(records);
    }

    void alreadyCommitted() {
        recordsAlreadyCommitted.incrementAndGet();
    }

    void writeFailed() {
        failedWrites.incrementAndGet();
    }

    void commitFailed() {
        failedCommits.incrementAndGet();
    }

    void committed(String table, CommitOutcome.Committed commit) {
        rowsCommitted.addAndGet(commit.rows());
        rowsPerTable.computeIfAbsent(table, t -> new AtomicLong()).addAndGet(commit.rows());
        dataFiles.addAndGet(commit.files());
        bytes.addAndGet(commit.bytes());
        versions.incrementAndGet();
    }

    /** @param tableConflictsRetried the sum over the sink's tables of {@code DeltaTable.conflictsRetried()} */
    void flushed(long nanos, TableWriter.FlushOutcome outcome, long tableConflictsRetried) {
        conflictsRetried.set(tableConflictsRetried);
        lastFlushNanos.set(nanos);
        flushes.incrementAndGet();
        if (outcome.rows() > 0) {
            lastFlushRows.set(outcome.rows());
            lastFlushFiles.set(outcome.files());
            lastFlushBytes.set(outcome.bytes());
        }
    }

    SinkStats snapshot() {
        Map<String, Long> perTable = new TreeMap<>();
        rowsPerTable.forEach((table, rows) -> perTable.put(table, rows.get()));
        return new SinkStats(recordsRead.get(), skippedRecords.get(), recordsAlreadyCommitted.get(),
                rowsCommitted.get(), perTable, dataFiles.get(), bytes.get(), versions.get(), flushes.get(),
                Duration.ofNanos(lastFlushNanos.get()), failedWrites.get(), failedCommits.get(),
                lastFlushRows.get(), lastFlushFiles.get(), lastFlushBytes.get(), conflictsRetried.get(),
                Duration.ofNanos(longestPollGapNanos.get()));
    }
}
