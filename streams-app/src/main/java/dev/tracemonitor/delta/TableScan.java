package dev.tracemonitor.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reading a snapshot's rows with Kernel: the scan's files (pruned by the filter's partition and statistics terms),
 * their Parquet data, and Kernel's transformation from physical to logical rows. The filter only skips files; rows of
 * the files that remain are all passed on, so callers apply their own row condition.
 */
public final class TableScan {

    private TableScan() {
    }

    /** Every row of the files the filter (null: none) does not rule out, in {@code readSchema} (null: all columns). */
    public static void forEachRow(Engine engine, Snapshot snapshot, StructType readSchema, Predicate filter,
                                  Consumer<Row> consumer) {
        var builder = snapshot.getScanBuilder();
        if (readSchema != null) {
            builder = builder.withReadSchema(readSchema);
        }
        if (filter != null) {
            builder = builder.withFilter(filter);
        }
        forEachBatch(engine, builder.build(), batch -> {
            try (CloseableIterator<Row> rows = batch.getRows()) {
                rows.forEachRemaining(consumer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static void forEachBatch(Engine engine, Scan scan, Consumer<ColumnarBatch> consumer) {
        Row scanState = scan.getScanState(engine);
        StructType physicalSchema = KernelInternals.physicalReadSchema(engine, scanState);
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> fileRows = scanFiles.next().getRows()) {
                    while (fileRows.hasNext()) {
                        Row fileRow = fileRows.next();
                        FileStatus status = KernelInternals.addFileStatus(fileRow);
                        CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler()
                                .readParquetFiles(KernelIterators.of(List.of(status)), physicalSchema, Optional.empty());
                        try (CloseableIterator<FilteredColumnarBatch> data =
                                     Scan.transformPhysicalData(engine, scanState, fileRow, physical)) {
                            while (data.hasNext()) {
                                FilteredColumnarBatch filtered = data.next();
                                if (filtered.getSelectionVector().isPresent()) {
                                    throw new IllegalStateException("deletion vectors are not expected in " + status);
                                }
                                consumer.accept(filtered.getData());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
