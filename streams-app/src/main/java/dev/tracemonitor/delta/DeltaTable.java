package dev.tracemonitor.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
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
 * answers, through its {@link TableLog}, which identifiers and data files the log holds. The table is created, with the
 * subclass's schema, by its first commit.
 *
 * <p>Commits are optimistic and serializable with respect to the transaction identifiers: each attempt is built on
 * the latest snapshot, checks there that the table holds exactly the versions the caller expects (so a writer that
 * lost ownership of a source partition to another writer cannot commit it a second time), and is written as the
 * snapshot's version + 1 or not at all (Kernel's automatic rebase onto concurrent commits is turned off, because it
 * only checks the first transaction identifier). A concurrent commit makes the attempt start over from the new
 * snapshot. {@link #write} may run on several threads at once (each call writes files of its own); {@link #commit}
 * on one thread at a time.
 */
public abstract class DeltaTable<R> {

    private static final String ENGINE_INFO = "trace-monitor";
    private static final Logger log = LoggerFactory.getLogger(DeltaTable.class);
    private static final int MAX_COMMIT_ATTEMPTS = 40;

    private final Engine engine;
    private final String path;
    private final Table table;
    private final TableLog tableLog;
    private volatile Row writeState;
    private long conflictsRetried;

    protected DeltaTable(Engine engine, String path) {
        this.engine = engine;
        this.path = path;
        this.table = Table.forPath(engine, path);
        this.tableLog = new TableLog(engine, table, path);
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

    /** The latest committed version of each given appId that the table holds (absent ones are left out). */
    public Map<String, Long> transactionVersions(Collection<String> appIds) {
        return tableLog.transactionVersions(appIds);
    }

    /** Every data file path (relative to the table root, decoded) the log refers to; see {@link TableLog}. */
    public Set<String> referencedFiles() throws IOException {
        return tableLog.referencedFiles();
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
            Optional<Snapshot> snapshot = tableLog.latestSnapshot();
            try {
                return tryCommit(snapshot, files, new TreeMap<>(transactionIds), expectedVersions);
            } catch (ConcurrentTransactionException e) {
                return new CommitOutcome.AlreadyWritten(transactionVersions(transactionIds.keySet()));
            } catch (ConcurrentWriteException e) {
                conflictsRetried++;
                retryOrThrow(attempt, e);
            } catch (RuntimeException e) {
                if (TableLog.isPartialCheckpoint(e)) {
                    tableLog.awaitCompleteCheckpointOrThrow(++partialCheckpointReads, e);
                    attempt--;
                    continue;
                }
                if (snapshot.isPresent() || !tableLog.exists()) {
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

    /** How many commit attempts of this writer lost a race with another writer's commit and were retried. */
    public long conflictsRetried() {
        return conflictsRetried;
    }

    private CommitOutcome tryCommit(Optional<Snapshot> snapshot, List<DataFile> files, TreeMap<String, Long> ids,
                                    Map<String, Long> expected) {
        Map<String, Long> committed = snapshot.isPresent()
                ? tableLog.transactionVersions(snapshot.get(), ids.keySet()) : Map.of();
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
        for (int attempt = 1; writeState == null; attempt++) {
            Transaction txn = newTransactionBuilder(!tableLog.exists()).build(engine);
            StructType schema = txn.getSchema(engine);
            if (!txn.getPartitionColumns(engine).equals(List.of(partitionColumn()))
                    || !schema.equals(schema()) && !evolvesTo(schema, schema())) {
                throw new IncompatibleTableException("Table " + path + " exists with another schema or partitioning: "
                        + schema + " partitioned by " + txn.getPartitionColumns(engine));
            }
            if (schema.equals(schema())) {
                writeState = txn.getTransactionState(engine);
            } else {
                addColumns(schema, attempt);
            }
        }
        return writeState;
    }

    /** Whether {@code target} is {@code current} with nullable columns appended: what a table may evolve to. */
    static boolean evolvesTo(StructType current, StructType target) {
        int n = current.length();
        if (target.length() <= n || !target.fields().subList(0, n).equals(current.fields())) {
            return false;
        }
        return target.fields().subList(n, target.length()).stream().allMatch(StructField::isNullable);
    }

    /** Commits {@link #schema()} in place of the table's older schema, of which it only appends nullable columns. */
    private void addColumns(StructType current, int attempt) {
        Snapshot snapshot = tableLog.latestSnapshot().orElseThrow();
        Transaction txn = table.createTransactionBuilder(engine, ENGINE_INFO, Operation.MANUAL_UPDATE)
                .withMaxRetries(0).build(engine);
        try {
            txn.commit(engine, CloseableIterable.inMemoryIterable(
                    KernelIterators.of(List.of(KernelInternals.metadataWithSchema(snapshot, schema())))));
            log.info("Added columns {} to {}", schema().fields().subList(current.length(), schema().length()).stream()
                    .map(StructField::getName).toList(), path);
        } catch (ConcurrentWriteException e) {
            // another writer committed first, perhaps the same evolution: read the table again
            retryOrThrow(attempt, e);
        }
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
}
