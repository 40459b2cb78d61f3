package dev.tracemonitor.sink;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of what the {@link DeltaSink} has done since it started, for progress output, metrics and tests.
 *
 * @param recordsRead             records polled from the topic
 * @param skippedRecords          records without the table headers, undecodable, or for a table the sink cannot
 *                                write (logged; they were validated upstream)
 * @param recordsAlreadyCommitted records polled again whose offsets the table already holds (not written twice)
 * @param rowsCommittedPerTable   rows committed, by table path ({@link SinkTableKind#path})
 * @param failedWrites            attempts to write buffered rows to Parquet files that failed (the rows were kept)
 * @param failedCommits           table commits that failed (their files were kept for the next flush, or dropped
 *                                when the partitions were given up)
 * @param lastFlushRows           rows committed by the last flush that committed any, over all its tables
 * @param lastFlushFiles          data files that flush committed
 * @param lastFlushBytes          bytes of those data files
 * @param commitConflictsRetried  commit attempts that lost a race with another writer of the same table (another
 *                                instance) and were retried from the new table version
 * @param longestPollGap          the longest time the sink went without polling its consumer (handling records,
 *                                writing files, flushing): how long reading stops while a flush commits
 */
public record SinkStats(
        long recordsRead,
        long skippedRecords,
        long recordsAlreadyCommitted,
        long rowsCommitted,
        Map<String, Long> rowsCommittedPerTable,
        long dataFilesCommitted,
        long bytesCommitted,
        long deltaVersionsCommitted,
        long flushes,
        Duration lastFlushDuration,
        long failedWrites,
        long failedCommits,
        long lastFlushRows,
        long lastFlushFiles,
        long lastFlushBytes,
        long commitConflictsRetried,
        Duration longestPollGap) {

    public SinkStats {
        rowsCommittedPerTable = Map.copyOf(rowsCommittedPerTable);
    }
}
