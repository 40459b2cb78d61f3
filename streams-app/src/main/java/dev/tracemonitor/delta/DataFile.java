package dev.tracemonitor.delta;

import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.utils.DataFileStatus;

/**
 * A Parquet file written into a table's {@code request_date} directory, with the statistics Kernel collected. It is
 * part of the table only once a commit adds it; until then it is invisible to readers and may be deleted.
 */
public record DataFile(int requestDate, DataFileStatus status) {

    public String path() {
        return status.getPath();
    }

    public long sizeBytes() {
        return status.getSize();
    }

    public long rows() {
        return status.getStatistics().map(DataFileStatistics::getNumRecords).orElse(0L);
    }
}
