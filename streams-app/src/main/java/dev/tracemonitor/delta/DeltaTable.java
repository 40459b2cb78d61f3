package dev.tracemonitor.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Delta table of rows of type {@code R} partitioned by a date column, through Kernel: writes rows into Parquet
 * data files of the table directory, commits a set of such files as one table version together with transaction
 * identifiers (appId → version, one per source partition; a replayed identifier makes the commit a no-op), and
 * answers which identifiers it holds. The table is created, with the subclass's schema, by its first commit.
 *
 * <p>Commits are optimistic and serializable with respect to the transaction identifiers: each attempt is built on
 * the latest snapshot, checks there that the table holds exactly the versions the caller expects (so a writer that
 * lost ownership of a source partition to another writer cannot commit it a second time), and is written as the
 * snapshot's version + 1 or not at all (Kernel's automatic rebase onto concurrent commits is turned off, because it
 * only checks the first transaction identifier). A concurrent commit makes the attempt start over from the new
 * snapshot. Not thread-safe: one writer thread per instance.
 */
public abstract class DeltaTable<R> {

    public static final String ENGINE_INFO = "trace-monitor";

    private static final Logger log = LoggerFactory.getLogger(DeltaTable.class);
    private static final int MAX_COMMIT_ATTEMPTS = 40;
    private static final StructType FILE_ACTIONS_SCHEMA = new StructType()
            .add("add", new StructType().add("path", StringType.STRING))
            .add("remove", new StructType().add("path", StringType.STRING));

    private final Engine engine;
    private final String path;
    private final Table table;
    private Row writeState;
    private long conflictsRetried;

    protected DeltaTable(Engine engine, String path) {
        this.engine = engine;
        this.path = path;
        this.table = Table.forPath(engine, path);
    }

    /** The table's schema, partition column included. */
    protected abstract StructType schema();

    /** The name of the date partition column. */
    protected abstract String partitionColumn();

    /** Table properties set when the table is created. */
    protected abstract Map<String, String> tableProperties();

    /** The partition value of a row: days since 1970-01-01. */
    public abstract int partitionDate(R row);

    /** The rows as Kernel columnar data in {@link #schema()}'s layout. */
    protected abstract FilteredColumnarBatch toBatch(List<R> rows);

    public String path() {
        return path;
    }

    public boolean exists() {
        return latestSnapshot().isPresent();
    }

    /** The latest committed version of each given appId that the table holds (absent ones are left out). */
    public Map<String, Long> transactionVersions(Collection<String> appIds) {
        for (int attempt = 1; ; attempt++) {
            try {
                return latestSnapshot().map(snapshot -> transactionVersions(snapshot, appIds)).orElseGet(Map::of);
            } catch (RuntimeException e) {
                awaitCompleteCheckpointOrThrow(attempt, e);
            }
        }
    }

    /**
     * Writes rows, all of the given partition date, as Parquet files (usually one; Kernel rolls at
     * {@code delta.kernel.default.parquet.writer.targetMaxFileSize}, 128 MiB by default) in the partition directory.
     *
     * @throws IncompatibleTableException if a table with another schema exists at the path
     */
    public List<DataFile> write(int date, List<R> rows) throws IOException {
        for (R row : rows) {
            if (partitionDate(row) != date) {
                throw new IllegalArgumentException("row " + row + " is not of " + partitionColumn() + " " + date);
            }
        }
        Row state = writeState();
        Map<String, Literal> partition = partitionValues(date);
        DataWriteContext context = Transaction.getWriteContext(engine, state, partition);
        CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, state,
                KernelIterators.of(List.of(toBatch(rows))), partition);
        List<DataFile> files = new ArrayList<>();
        try (CloseableIterator<DataFileStatus> written = engine.getParquetHandler()
                .writeParquetFiles(context.getTargetDirectory(), physical, context.getStatisticsColumns())) {
            while (written.hasNext()) {
                files.add(new DataFile(date, written.next()));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return files;
    }

    /**
     * Commits the files as one new table version carrying the given transaction identifiers. If the table already
     * holds any of them at the same or a later version, nothing is committed ({@link CommitOutcome.AlreadyWritten}).
     * Conflicts with concurrent writers (other partitions' owners appending to the same table) are retried.
     */
    public CommitOutcome commit(List<DataFile> files, Map<String, Long> transactionIds) {
        return commit(files, transactionIds, null);
    }

    /**
     * As {@link #commit(List, Map)}, and also nothing is committed ({@link CommitOutcome.AlreadyWritten}) unless the
     * table holds, for each given appId, exactly the version in {@code expectedVersions} (absent or null: none at
     * all) at the snapshot the commit is written on: the check that this writer is still the only one writing those
     * source partitions. {@code expectedVersions} null: no such check.
     */
    public CommitOutcome commit(List<DataFile> files, Map<String, Long> transactionIds,
                                Map<String, Long> expectedVersions) {
        if (transactionIds.isEmpty()) {
            throw new IllegalArgumentException("a commit needs at least one transaction identifier");
        }
        int partialCheckpointReads = 0;
        for (int attempt = 1; ; attempt++) {
            Optional<Snapshot> snapshot = latestSnapshot();
            try {
                return tryCommit(snapshot, files, new TreeMap<>(transactionIds), expectedVersions);
            } catch (ConcurrentTransactionException e) {
                return new CommitOutcome.AlreadyWritten(transactionVersions(transactionIds.keySet()));
            } catch (ConcurrentWriteException e) {
                conflictsRetried++;
                retryOrThrow(attempt, e);
            } catch (RuntimeException e) {
                if (isPartialCheckpoint(e)) {
                    awaitCompleteCheckpointOrThrow(++partialCheckpointReads, e);
                    attempt--;
                    continue;
                }
                if (snapshot.isPresent() || !exists()) {
                    throw e;
                }
                retryOrThrow(attempt, e);
            }
        }
    }

    /** Deletes data files that are not (and will not be) part of the table; returns how many were deleted. */
    public int delete(Collection<DataFile> files) {
        int deleted = 0;
        for (DataFile file : files) {
            try {
                if (engine.getFileSystemClient().delete(file.path())) {
                    deleted++;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Could not delete uncommitted data file {}: {}", file.path(), e.toString());
            }
        }
        return deleted;
    }

    /**
     * Every data file path (relative to the table root, decoded) the log refers to: the files of the latest version,
     * and every file added or removed in the retained log since the last checkpoint and in the checkpoint itself.
     * Empty when the table does not exist.
     */
    public Set<String> referencedFiles() throws IOException {
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

    /** How many commit attempts of this writer lost a race with another writer's commit and were retried. */
    public long conflictsRetried() {
        return conflictsRetried;
    }

    /** The table's root as Kernel resolves it (e.g. {@code file:/…}). */
    public String resolvedPath() {
        return table.getPath(engine);
    }

    private CommitOutcome tryCommit(Optional<Snapshot> snapshot, List<DataFile> files, TreeMap<String, Long> ids,
                                    Map<String, Long> expected) {
        Map<String, Long> committed = snapshot.isPresent() ? transactionVersions(snapshot.get(), ids.keySet()) : Map.of();
        for (Map.Entry<String, Long> id : ids.entrySet()) {
            Long version = committed.get(id.getKey());
            if (version != null && version >= id.getValue()) {
                return new CommitOutcome.AlreadyWritten(committed);
            }
            if (expected != null && !Objects.equals(version, expected.get(id.getKey()))) {
                log.warn("{} holds {} at {} where this writer expected {}: another writer wrote that source partition",
                        path, id.getKey(), version, expected.get(id.getKey()));
                return new CommitOutcome.AlreadyWritten(committed);
            }
        }
        Iterator<Map.Entry<String, Long>> remaining = ids.entrySet().iterator();
        Map.Entry<String, Long> first = remaining.next();
        Transaction txn = newTransactionBuilder(snapshot.isEmpty())
                .withTransactionId(engine, first.getKey(), first.getValue())
                .build(engine);
        Row state = txn.getTransactionState(engine);
        List<Row> actions = new ArrayList<>();
        long now = System.currentTimeMillis();
        while (remaining.hasNext()) {
            Map.Entry<String, Long> id = remaining.next();
            actions.add(KernelInternals.transactionIdAction(id.getKey(), id.getValue(), now));
        }
        long rows = 0;
        long bytes = 0;
        for (Map.Entry<Integer, List<DataFileStatus>> partition : byRequestDate(files).entrySet()) {
            DataWriteContext context = Transaction.getWriteContext(engine, state, partitionValues(partition.getKey()));
            try (CloseableIterator<Row> adds = Transaction.generateAppendActions(engine, state,
                    KernelIterators.of(partition.getValue()), context)) {
                adds.forEachRemaining(actions::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (DataFile file : files) {
            rows += file.rows();
            bytes += file.sizeBytes();
        }
        TransactionCommitResult result = txn.commit(engine, CloseableIterable.inMemoryIterable(KernelIterators.of(actions)));
        boolean checkpointed = runPostCommitHooks(result);
        return new CommitOutcome.Committed(result.getVersion(), files.size(), rows, bytes, checkpointed);
    }

    private boolean runPostCommitHooks(TransactionCommitResult result) {
        boolean checkpointed = false;
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            try {
                hook.threadSafeInvoke(engine);
                checkpointed |= hook.getType() == PostCommitHook.PostCommitHookType.CHECKPOINT;
            } catch (IOException | RuntimeException e) {
                log.warn("Post-commit hook {} failed on {} version {}: {}", hook.getType(), path, result.getVersion(),
                        e.toString());
            }
        }
        return checkpointed;
    }

    private TransactionBuilder newTransactionBuilder(boolean createTable) {
        // No automatic rebase onto concurrent commits: it would only check the first transaction identifier. A
        // conflict surfaces as ConcurrentWriteException and the whole attempt, checks included, starts over.
        TransactionBuilder builder = table.createTransactionBuilder(engine, ENGINE_INFO, Operation.STREAMING_UPDATE)
                .withMaxRetries(0);
        if (createTable) {
            builder = builder.withSchema(engine, schema())
                    .withPartitionColumns(engine, List.of(partitionColumn()))
                    .withTableProperties(engine, tableProperties());
        }
        return builder;
    }

    private Row writeState() {
        if (writeState == null) {
            Transaction txn = newTransactionBuilder(!exists()).build(engine);
            StructType schema = txn.getSchema(engine);
            if (!schema.equals(schema())
                    || !txn.getPartitionColumns(engine).equals(List.of(partitionColumn()))) {
                throw new IncompatibleTableException("Table " + path + " exists with another schema or partitioning: "
                        + schema + " partitioned by " + txn.getPartitionColumns(engine));
            }
            writeState = txn.getTransactionState(engine);
        }
        return writeState;
    }

    /**
     * The latest snapshot. Another writer's checkpoint is written in place, so a reader can list it before it is
     * complete ("is not a Parquet file"), when loading the snapshot or later, when reading it (Kernel reads the
     * checkpoint lazily): each such read is retried a few times before the error is passed on.
     */
    private Optional<Snapshot> latestSnapshot() {
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

    /** Returns after a pause if {@code e} is a read of a checkpoint still being written; throws {@code e} otherwise. */
    private void awaitCompleteCheckpointOrThrow(int attempt, RuntimeException e) {
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

    private static final int SNAPSHOT_ATTEMPTS = 10;

    private static boolean isPartialCheckpoint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("is not a Parquet file")) {
                return true;
            }
        }
        return false;
    }

    private Map<String, Long> transactionVersions(Snapshot snapshot, Collection<String> appIds) {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (String appId : appIds) {
            KernelInternals.latestTransactionVersion(engine, snapshot, appId).ifPresent(v -> versions.put(appId, v));
        }
        return versions;
    }

    private void retryOrThrow(int attempt, RuntimeException e) {
        if (attempt >= MAX_COMMIT_ATTEMPTS) {
            throw e;
        }
        log.info("Commit to {} conflicted ({}); retrying, attempt {}", path, e.getMessage(), attempt + 1);
        try {
            // back off with jitter: writers whose flushes are aligned to the clock collide at the same moment
            Thread.sleep(10L * Math.min(attempt, 10) + ThreadLocalRandom.current().nextLong(25));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private Map<String, Literal> partitionValues(int date) {
        return Map.of(partitionColumn(), Literal.ofDate(date));
    }

    private static Map<Integer, List<DataFileStatus>> byRequestDate(List<DataFile> files) {
        Map<Integer, List<DataFileStatus>> grouped = new TreeMap<>();
        for (DataFile file : files) {
            grouped.computeIfAbsent(file.requestDate(), d -> new ArrayList<>()).add(file.status());
        }
        return grouped;
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
