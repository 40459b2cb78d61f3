package dev.tracemonitor.delta;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reading side of a {@link DeltaTable}: its latest snapshot, the transaction versions the log holds, and every data
 * file the log refers to. Another writer's checkpoint is written in place, so a reader can list it before it is
 * complete ("is not a Parquet file"), when loading the snapshot or later, when reading it (Kernel reads the checkpoint
 * lazily): each such read is retried a few times before the error is passed on.
 */
final class TableLog {

    private static final Logger log = LoggerFactory.getLogger(TableLog.class);
    private static final int SNAPSHOT_ATTEMPTS = 10;
    private static final StructType FILE_ACTIONS_SCHEMA = new StructType()
            .add("add", new StructType().add("path", StringType.STRING))
            .add("remove", new StructType().add("path", StringType.STRING));

    private final Engine engine;
    private final Table table;
    private final String path;

    TableLog(Engine engine, Table table, String path) {
        this.engine = engine;
        this.table = table;
        this.path = path;
    }

    /** The latest snapshot, or empty when the table does not exist yet. */
    Optional<Snapshot> latestSnapshot() {
        for (int attempt = 1; ; attempt++) {
            try {
                return Optional.of(table.getLatestSnapshot(engine));
            } catch (TableNotFoundException e) {
                return Optional.empty();
            } catch (RuntimeException e) {
                awaitCompleteCheckpointOrThrow(attempt, e);
            }
        }
    }

    boolean exists() {
        return latestSnapshot().isPresent();
    }

    /** The latest committed version of each given appId that the table holds (absent ones are left out). */
    Map<String, Long> transactionVersions(Collection<String> appIds) {
        for (int attempt = 1; ; attempt++) {
            try {
                return latestSnapshot().map(snapshot -> transactionVersions(snapshot, appIds)).orElseGet(Map::of);
            } catch (RuntimeException e) {
                awaitCompleteCheckpointOrThrow(attempt, e);
            }
        }
    }

    /** The latest committed version of each given appId that the snapshot holds (absent ones are left out). */
    Map<String, Long> transactionVersions(Snapshot snapshot, Collection<String> appIds) {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (String appId : appIds) {
            KernelInternals.latestTransactionVersion(engine, snapshot, appId).ifPresent(v -> versions.put(appId, v));
        }
        return versions;
    }

    /**
     * Every data file path (relative to the table root, decoded) the log refers to: the files of the latest version,
     * and every file added or removed in the retained log since the last checkpoint and in the checkpoint itself.
     * Empty when the table does not exist.
     */
    Set<String> referencedFiles() throws IOException {
        Optional<Snapshot> latest = latestSnapshot();
        if (latest.isEmpty()) {
            return Set.of();
        }
        Snapshot snapshot = latest.get();
        URI root = URI.create(withTrailingSlash(table.getPath(engine)));
        Set<String> referenced = new HashSet<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = snapshot.getScanBuilder().build().getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> rows = scanFiles.next().getRows()) {
                    while (rows.hasNext()) {
                        addRelative(referenced, root, KernelInternals.addFileStatus(rows.next()).getPath());
                    }
                }
            }
        }
        List<FileStatus> checkpoints = KernelInternals.checkpointFiles(snapshot);
        if (!checkpoints.isEmpty()) {
            try (CloseableIterator<ColumnarBatch> batches = engine.getParquetHandler()
                    .readParquetFiles(KernelIterators.of(checkpoints), FILE_ACTIONS_SCHEMA, Optional.empty())) {
                collectFileActionPaths(batches, root, referenced);
            }
        }
        List<FileStatus> commits = KernelInternals.commitFiles(snapshot);
        if (!commits.isEmpty()) {
            try (CloseableIterator<ColumnarBatch> batches = engine.getJsonHandler()
                    .readJsonFiles(KernelIterators.of(commits), FILE_ACTIONS_SCHEMA, Optional.empty())) {
                collectFileActionPaths(batches, root, referenced);
            }
        }
        return referenced;
    }

    /** Returns after a pause if {@code e} is a read of a checkpoint still being written; throws {@code e} otherwise. */
    void awaitCompleteCheckpointOrThrow(int attempt, RuntimeException e) {
        if (attempt >= SNAPSHOT_ATTEMPTS || !isPartialCheckpoint(e)) {
            throw e;
        }
        log.info("A checkpoint of {} is still being written; reading the table again (attempt {})", path, attempt + 1);
        try {
            Thread.sleep(50L * attempt);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    static boolean isPartialCheckpoint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("is not a Parquet file")) {
                return true;
            }
        }
        return false;
    }

    private static void collectFileActionPaths(CloseableIterator<ColumnarBatch> batches, URI root, Set<String> into) {
        while (batches.hasNext()) {
            ColumnarBatch batch = batches.next();
            for (int column = 0; column < 2; column++) {
                ColumnVector action = batch.getColumnVector(column);
                ColumnVector paths = action.getChild(0);
                for (int row = 0; row < batch.getSize(); row++) {
                    if (!action.isNullAt(row) && !paths.isNullAt(row)) {
                        addRelative(into, root, paths.getString(row));
                    }
                }
            }
        }
    }

    /** Adds a log path (relative and URL-encoded, or absolute) as a decoded path relative to the table root. */
    private static void addRelative(Set<String> into, URI root, String logPath) {
        try {
            URI uri = new URI(logPath);
            if (!uri.isAbsolute()) {
                into.add(uri.getPath());
                return;
            }
            URI relative = root.relativize(uri);
            if (!relative.isAbsolute()) {
                into.add(relative.getPath());
            }
        } catch (URISyntaxException e) {
            into.add(logPath);
        }
    }

    private static String withTrailingSlash(String path) {
        return path.endsWith("/") ? path : path + "/";
    }
}
