package dev.tracemonitor.delta;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.model.Json;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a {@code trace_logs} table holds at its latest version, read with Kernel: version, data files, rows (from the
 * files' {@code numRecords} statistics, counted from the data where a file has none) and bytes; and its rows, for
 * summaries and tests.
 */
public final class DeltaTableStats {

    private final Engine engine;
    private final Snapshot snapshot;
    private final long dataFiles;
    private final long rows;
    private final long bytes;

    private DeltaTableStats(Engine engine, Snapshot snapshot, long dataFiles, long rows, long bytes) {
        this.engine = engine;
        this.snapshot = snapshot;
        this.dataFiles = dataFiles;
        this.rows = rows;
        this.bytes = bytes;
    }

    /** The table's latest version, or empty when there is no Delta table at the path. */
    public static Optional<DeltaTableStats> read(Engine engine, String tablePath) {
        Snapshot snapshot;
        try {
            snapshot = Table.forPath(engine, tablePath).getLatestSnapshot(engine);
        } catch (TableNotFoundException e) {
            return Optional.empty();
        }
        long files = 0;
        long rows = 0;
        long bytes = 0;
        Scan scan = snapshot.getScanBuilder().build();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = KernelInternals.scanFilesWithStats(engine, scan)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> fileRows = scanFiles.next().getRows()) {
                    while (fileRows.hasNext()) {
                        Row fileRow = fileRows.next();
                        FileStatus status = KernelInternals.addFileStatus(fileRow);
                        files++;
                        bytes += status.getSize();
                        Long numRecords = numRecords(KernelInternals.addFileStats(fileRow));
                        rows += numRecords != null ? numRecords : countRows(engine, status);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(new DeltaTableStats(engine, snapshot, files, rows, bytes));
    }

    public long version() {
        return snapshot.getVersion();
    }

    public long dataFiles() {
        return dataFiles;
    }

    public long rows() {
        return rows;
    }

    public long bytes() {
        return bytes;
    }

    /** The latest version committed under a transaction identifier (appId), if any. */
    public Optional<Long> transactionVersion(String appId) {
        return KernelInternals.latestTransactionVersion(engine, snapshot, appId);
    }

    /** Every row's trace_id, duplicates included. Reads the trace_id column of every file. */
    public List<String> traceIds() {
        List<String> ids = new ArrayList<>();
        StructType readSchema = new StructType().add(TraceLogsSchema.SCHEMA.get("trace_id"));
        TableScan.forEachBatch(engine, snapshot.getScanBuilder().withReadSchema(readSchema).build(), batch -> {
            ColumnVector column = batch.getColumnVector(0);
            for (int i = 0; i < batch.getSize(); i++) {
                ids.add(column.getString(i));
            }
        });
        return ids;
    }

    /** Every row, all columns, in the {@link TraceLogsSchema} layout. */
    public void forEachRow(Consumer<Row> consumer) {
        forEachRow(null, consumer);
    }

    /**
     * The rows of the files Kernel keeps for {@code partitionFilter} (a predicate on partition columns, null for all):
     * files are pruned by their partition values, the rows of a kept file are not filtered.
     */
    public void forEachRow(Predicate partitionFilter, Consumer<Row> consumer) {
        TableScan.forEachRow(engine, snapshot, null, partitionFilter, consumer);
    }

    private static long countRows(Engine engine, FileStatus file) throws IOException {
        StructType readSchema = new StructType().add(TraceLogsSchema.SCHEMA.get("trace_id"));
        long count = 0;
        try (CloseableIterator<ColumnarBatch> batches = engine.getParquetHandler()
                .readParquetFiles(KernelIterators.of(List.of(file)), readSchema, Optional.empty())) {
            while (batches.hasNext()) {
                count += batches.next().getSize();
            }
        }
        return count;
    }

    private static Long numRecords(String statsJson) {
        JsonNode stats = Json.parseOrNull(statsJson);
        JsonNode numRecords = stats == null ? null : stats.get("numRecords");
        return numRecords == null || !numRecords.canConvertToLong() ? null : numRecords.asLong();
    }
}
