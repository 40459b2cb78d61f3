package dev.tracemonitor.sink;

import dev.tracemonitor.delta.CommitOutcome;
import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.DeltaTable;
import dev.tracemonitor.delta.IncompatibleTableException;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The windowed Delta sink: a consumer group on {@code traces-assessed} that writes every trace, exactly once, into the
 * Delta table its headers name (or, with {@link SinkTableKind#TRACE_ASSESSMENTS}, on {@code trace-feedback}, writing
 * every Assessment into the monitor's assessments table). Rows go to Parquet files in the table directory as they
 * arrive (buffered up to a row and memory bound); every flush interval the files of each table are committed as one
 * table version, with one transaction identifier per source partition ({@code <group.id>-<topic>-<partition>} → the
 * last offset of that partition the sink had processed). On assignment a partition resumes after the offset its
 * tables hold, so a restart, a rebalance or a reset of the group's Kafka offsets neither loses nor duplicates rows.
 * Each commit also checks that the table still holds the versions this sink last saw for its partitions, so a sink
 * that lost a partition to another instance (a zombie after a long pause) cannot write it a second time. Runs on its
 * own thread.
 */
public final class DeltaSink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeltaSink.class);
    private static final long MAX_POLL_WAIT_MILLIS = 200;
    private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration UNCOMMITTED_FILE_MARGIN = Duration.ofMinutes(5);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private enum FlushReason { SCHEDULED, REVOCATION, CLOSE }

    private enum CommitResult { COMMITTED, DROPPED, FAILED }

    private final DeltaSinkConfig config;
    private final Engine engine;
    private final Warehouse warehouse;
    private final FlushSchedule schedule;
    private final Counters counters = new Counters();
    private final Map<String, SinkTable> tables = new HashMap<>();
    private final Set<Integer> assigned = new TreeSet<>();
    private final Map<Integer, Long> processed = new HashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private volatile boolean running;
    private volatile boolean flushRequested;
    private volatile long conflictsRetried;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private long bufferedBytes;
    private boolean rewindPending;
    private boolean paused;
    private boolean closing;

    public DeltaSink(DeltaSinkConfig config) {
        this(config, DefaultEngine.create(config.hadoopConfiguration()));
    }

    public DeltaSink(DeltaSinkConfig config, Engine engine) {
        this.config = Objects.requireNonNull(config, "config");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.warehouse = new Warehouse(config.warehouse(), config.hadoopConfiguration(), config.kind().tablePrefix());
        this.schedule = new FlushSchedule(config.flushInterval(), config.alignToClock());
    }

    /** Starts the sink thread: deletes files earlier runs left uncommitted, subscribes, and consumes until closed. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        thread = new Thread(this::run, "delta-sink-" + config.groupId() + "-" + INSTANCES.incrementAndGet());
        thread.start();
    }

    /** Asks for a flush (commit of everything written so far) as soon as the sink thread gets to it. */
    public void requestFlush() {
        flushRequested = true;
    }

    public boolean isRunning() {
        return running;
    }

    /** Why the sink thread stopped, if it stopped on an error. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    public SinkStats stats() {
        return counters.snapshot(conflictsRetried);
    }

    /** Commits what has been written (a last flush), leaves the group and stops the thread. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            consumer = new KafkaConsumer<>(config.effectiveConsumerProperties());
            deleteUncommittedFiles();
            consumer.subscribe(List.of(config.topic()), new Rebalance());
            long nextFlush = schedule.nextAfter(System.currentTimeMillis());
            while (running) {
                long wait = Math.max(0, Math.min(MAX_POLL_WAIT_MILLIS, nextFlush - System.currentTimeMillis()));
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(wait));
                if (rewindPending) {
                    rewind();
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    handle(record);
                }
                if (flushRequested || System.currentTimeMillis() >= nextFlush) {
                    flushRequested = false;
                    flush(FlushReason.SCHEDULED);
                    nextFlush = schedule.nextAfter(System.currentTimeMillis());
                }
            }
            flush(FlushReason.CLOSE);
        } catch (Exception | Error e) {
            failure.set(e);
            log.error("Delta sink stopped on an error; uncommitted rows will be read again from Kafka", e);
        } finally {
            closing = true;
            abandonAll();
            if (consumer != null) {
                try {
                    consumer.close(CONSUMER_CLOSE_TIMEOUT);
                } catch (RuntimeException e) {
                    log.warn("Closing the consumer failed: {}", e.toString());
                }
            }
            running = false;
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        counters.recordsRead.incrementAndGet();
        int partition = record.partition();
        processed.put(partition, record.offset());
        TableAddress address = TableAddress.fromHeaders(record.headers());
        if (address == null) {
            skip(record, "no table address headers");
            return;
        }
        Object row;
        try {
            row = config.kind().decode(record);
        } catch (RuntimeException e) {
            skip(record, "not a " + config.kind() + " row: " + e.getMessage());
            return;
        }
        SinkTable table = table(config.kind().path(address, config.warehouse()));
        if (table.isIncompatible()) {
            skip(record, "table " + table.path() + " has an incompatible schema");
            return;
        }
        Long committed = table.committed(partition);
        if (committed != null && record.offset() <= committed) {
            counters.recordsAlreadyCommitted.incrementAndGet();
            return;
        }
        long bytes = Math.max(0, record.serializedValueSize());
        int date = table.delta().partitionDate(row);
        int buffered = table.add(partition, record.offset(), date, row, bytes);
        bufferedBytes += bytes;
        if (!paused && buffered >= config.maxRowsPerFile()) {
            writeBuffer(table, date);
        }
        while (!paused && bufferedBytes > config.maxBufferedBytes()) {
            SinkTable largest = tables.values().stream()
                    .max(Comparator.comparingLong(SinkTable::largestBufferBytes)).orElseThrow();
            writeBuffer(largest, largest.largestBuffer());
        }
    }

    private void skip(ConsumerRecord<byte[], byte[]> record, String reason) {
        counters.skippedRecords.incrementAndGet();
        log.warn("Skipping record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    }

    private void writeBuffer(SinkTable table, int date) {
        try {
            bufferedBytes -= table.writeBuffer(date);
        } catch (IncompatibleTableException e) {
            markIncompatible(table, e);
        } catch (IOException | RuntimeException e) {
            counters.failedWrites.incrementAndGet();
            log.error("Could not write rows to {}; pausing consumption until a flush succeeds", table.path(), e);
            consumer.pause(consumer.assignment());
            paused = true;
        }
    }

    private void markIncompatible(SinkTable table, IncompatibleTableException e) {
        log.error("Skipping every record for {}: {}", table.path(), e.getMessage());
        counters.skippedRecords.addAndGet(table.pendingRows());
        bufferedBytes -= table.abandon();
        table.markIncompatible();
    }

    /**
     * Commits every table's rows written since its last commit. First, a table holding no version yet of a partition
     * it has rows of gets that partition's baseline (the offset before its first such row), so that at every moment
     * each table with uncommitted rows of a partition holds a version below them and a restart resumes early enough.
     */
    private void flush(FlushReason reason) {
        long start = System.nanoTime();
        Map<SinkTable, Set<Integer>> pending = new HashMap<>();
        tables.values().stream().filter(SinkTable::hasPending)
                .forEach(table -> pending.put(table, Set.copyOf(table.contributing())));
        if (!pending.isEmpty()) {
            log.info("Flush ({}) starting: {} table(s) with {} pending rows", reason, pending.size(),
                    pending.keySet().stream().mapToLong(SinkTable::pendingRows).sum());
        }
        FlushTotals totals = new FlushTotals();
        boolean baselined = true;
        for (SinkTable table : pending.keySet()) {
            baselined &= commitBaseline(table);
        }
        Set<Integer> dirty = new TreeSet<>();
        boolean allCommitted = baselined;
        for (Map.Entry<SinkTable, Set<Integer>> entry : pending.entrySet()) {
            SinkTable table = entry.getKey();
            CommitResult result = !table.hasPending() ? CommitResult.DROPPED
                    : baselined ? commit(table, totals) : CommitResult.FAILED;
            if (result != CommitResult.COMMITTED) {
                allCommitted = false;
                dirty.addAll(entry.getValue());
                if (reason != FlushReason.SCHEDULED && table.hasPending()) {
                    drop(table);
                }
            }
        }
        commitKafkaOffsets(dirty);
        conflictsRetried = tables.values().stream().mapToLong(t -> t.delta().conflictsRetried()).sum();
        counters.flushed(System.nanoTime() - start, totals);
        if (paused && allCommitted) {
            consumer.resume(consumer.paused());
            paused = false;
        }
        if (!pending.isEmpty()) {
            log.info("Flush ({}) finished: {} table(s), {} rows in {} data files, {} bytes (largest file {} bytes),"
                            + " took {} ms{}", reason, pending.size(), totals.rows, totals.files, totals.bytes,
                    totals.largestFile, (System.nanoTime() - start) / 1_000_000,
                    allCommitted ? "" : "; some tables were not committed");
        }
    }

    /** What one flush committed, for its log line and {@link SinkStats}. */
    static final class FlushTotals {
        long rows;
        long files;
        long bytes;
        long largestFile;
    }

    /** Records the baseline versions a table needs; false if that failed (nothing may be committed then). */
    private boolean commitBaseline(SinkTable table) {
        Map<Integer, Long> baseline = table.baselineVersions();
        if (baseline.isEmpty()) {
            return true;
        }
        try {
            // expected: the table holds none of these partitions (that is why they need a baseline)
            CommitOutcome outcome = table.delta().commit(List.of(), transactionIds(baseline), Map.of());
            if (outcome instanceof CommitOutcome.Committed committed) {
                table.markBaseline(baseline);
                counters.committed(table.path(), committed);
                log.info("{} version {}: first rows of partitions {} are pending", table.path(), committed.version(),
                        baseline.keySet());
            } else {
                log.warn("{} already holds {} (wanted baseline {}): reading again from the table's positions",
                        table.path(), ((CommitOutcome.AlreadyWritten) outcome).committedVersions(), baseline);
                drop(table);
            }
            return true;
        } catch (RuntimeException e) {
            counters.failedCommits.incrementAndGet();
            log.error("Commit to {} failed; nothing is committed in this flush", table.path(), e);
            return false;
        }
    }

    private CommitResult commit(SinkTable table, FlushTotals totals) {
        Map<Integer, Long> versions = new TreeMap<>();
        for (int partition : assigned) {
            Long position = processed.get(partition);
            Long committed = table.committed(partition);
            if (position != null && position >= 0 && (committed == null || position > committed)) {
                versions.put(partition, position);
            }
        }
        if (!versions.keySet().containsAll(table.contributing())) {
            log.error("{} has rows of partitions {} without a position among {}; dropping them", table.path(),
                    table.contributing(), versions.keySet());
            drop(table);
            return CommitResult.DROPPED;
        }
        try {
            bufferedBytes -= table.writeAllBuffers();
        } catch (IncompatibleTableException e) {
            markIncompatible(table, e);
            return CommitResult.DROPPED;
        } catch (IOException | RuntimeException e) {
            counters.failedWrites.incrementAndGet();
            log.error("Could not write rows to {}", table.path(), e);
            return CommitResult.FAILED;
        }
        try {
            if (!warehouse.allExist(table.files())) {
                log.warn("Uncommitted data files of {} have disappeared; dropping them and reading their rows again",
                        table.path());
                drop(table);
                return CommitResult.DROPPED;
            }
            Map<String, Long> transactionIds = transactionIds(versions);
            Map<String, Long> expected = new HashMap<>();
            versions.keySet().forEach(p -> expected.put(config.appId(p), table.committed(p)));
            long largestFile = table.files().stream().mapToLong(DataFile::sizeBytes).max().orElse(0);
            CommitOutcome outcome = table.delta().commit(table.files(), transactionIds, expected);
            if (outcome instanceof CommitOutcome.Committed committed) {
                table.markCommitted(versions);
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
            drop(table);
            return CommitResult.DROPPED;
        } catch (IOException | RuntimeException e) {
            counters.failedCommits.incrementAndGet();
            log.error("Commit to {} failed; its files are kept for the next flush", table.path(), e);
            return CommitResult.FAILED;
        }
    }

    private Map<String, Long> transactionIds(Map<Integer, Long> versions) {
        Map<String, Long> ids = new TreeMap<>();
        versions.forEach((partition, version) -> ids.put(config.appId(partition), version));
        return ids;
    }

    private void drop(SinkTable table) {
        bufferedBytes -= table.abandon();
        rewindPending = true;
    }

    private void commitKafkaOffsets(Set<Integer> dirty) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int partition : assigned) {
            Long position = processed.get(partition);
            if (!dirty.contains(partition) && position != null && position >= 0) {
                offsets.put(new TopicPartition(config.topic(), partition), new OffsetAndMetadata(position + 1));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (KafkaException e) {
            log.warn("Could not commit Kafka offsets (only a hint; the Delta tables hold the positions): {}", e.toString());
        }
    }

    /** Drops everything uncommitted and re-seeks every assigned partition from the tables' committed positions. */
    private void rewind() {
        rewindPending = false;
        abandonAll();
        for (SinkTable table : tables.values()) {
            table.clearCommitted();
        }
        seek(new ArrayList<>(assigned), true);
    }

    private void abandonAll() {
        for (SinkTable table : tables.values()) {
            if (table.hasPending()) {
                table.abandon();
            }
        }
        bufferedBytes = 0;
    }

    /**
     * Positions partitions after what the tables hold: the lowest committed version among the tables that hold the
     * partition's appId, plus one. The group's Kafka offset (committed only once every table holds everything before
     * it) is used when it is further on, and alone when no table holds the partition.
     */
    private void seek(Collection<Integer> partitions, boolean reloadAllTables) {
        if (partitions.isEmpty()) {
            return;
        }
        List<SinkTable> reload = new ArrayList<>();
        try {
            for (TableAddress address : warehouse.tables()) {
                String path = config.kind().path(address, config.warehouse());
                if (!tables.containsKey(path)) {
                    tables.put(path, new SinkTable(path, config.kind().open(engine, path)));
                    reload.add(tables.get(path));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the tables of " + config.warehouse(), e);
        }
        for (SinkTable table : tables.values()) {
            loadCommitted(table, reload.contains(table) || reloadAllTables ? assigned : partitions);
        }
        Set<TopicPartition> topicPartitions = new HashSet<>();
        partitions.forEach(p -> topicPartitions.add(new TopicPartition(config.topic(), p)));
        Map<TopicPartition, OffsetAndMetadata> kafkaOffsets = consumer.committed(topicPartitions);
        for (int partition : partitions) {
            TopicPartition tp = new TopicPartition(config.topic(), partition);
            Long fromDelta = tables.values().stream().map(t -> t.committed(partition)).filter(Objects::nonNull)
                    .min(Long::compare).map(v -> v + 1).orElse(null);
            OffsetAndMetadata kafka = kafkaOffsets.get(tp);
            Long fromKafka = kafka == null ? null : kafka.offset();
            Long target = fromDelta;
            if (target == null || (fromKafka != null && fromKafka > target)) {
                target = fromKafka;
            }
            if (target == null) {
                processed.remove(partition);
                log.info("Partition {} has no committed position; starting from auto.offset.reset", tp);
                continue;
            }
            consumer.seek(tp, target);
            processed.put(partition, target - 1);
            log.info("Partition {} resumes at offset {} (Delta tables: {}, Kafka group: {})", tp, target, fromDelta,
                    fromKafka);
        }
    }

    private SinkTable table(String path) {
        SinkTable table = tables.get(path);
        if (table == null) {
            table = new SinkTable(path, config.kind().open(engine, path));
            loadCommitted(table, assigned);
            tables.put(path, table);
        }
        return table;
    }

    private void loadCommitted(SinkTable table, Collection<Integer> partitions) {
        List<String> appIds = partitions.stream().map(config::appId).toList();
        Map<String, Long> versions = table.delta().transactionVersions(appIds);
        for (int partition : partitions) {
            table.setCommitted(partition, versions.get(config.appId(partition)));
        }
    }

    private void deleteUncommittedFiles() {
        long olderThan = config.flushInterval().multipliedBy(2).plus(UNCOMMITTED_FILE_MARGIN).toMillis();
        long now = System.currentTimeMillis();
        try {
            for (TableAddress address : warehouse.tables()) {
                DeltaTable<?> table = config.kind().open(engine, config.kind().path(address, config.warehouse()));
                int deleted = warehouse.deleteUncommittedFiles(table, olderThan, now);
                if (deleted > 0) {
                    log.info("Deleted {} uncommitted data files of {}", deleted, table.path());
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Could not clean up uncommitted data files under {}: {}", config.warehouse(), e.toString());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (closing || partitions.isEmpty()) {
                return;
            }
            flush(FlushReason.REVOCATION);
            for (TopicPartition tp : partitions) {
                assigned.remove(tp.partition());
                processed.remove(tp.partition());
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (closing || partitions.isEmpty()) {
                return;
            }
            List<Integer> added = partitions.stream().map(TopicPartition::partition).toList();
            assigned.addAll(added);
            seek(added, false);
            if (paused) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("Partitions {} were lost; dropping everything not yet committed", partitions);
            abandonAll();
            for (TopicPartition tp : partitions) {
                assigned.remove(tp.partition());
                processed.remove(tp.partition());
            }
            rewindPending = !assigned.isEmpty();
        }
    }

    /** Counters shared with threads calling {@link #stats()}. */
    private static final class Counters {
        final AtomicLong recordsRead = new AtomicLong();
        final AtomicLong skippedRecords = new AtomicLong();
        final AtomicLong recordsAlreadyCommitted = new AtomicLong();
        final AtomicLong rowsCommitted = new AtomicLong();
        final Map<String, AtomicLong> rowsPerTable = new ConcurrentHashMap<>();
        final AtomicLong dataFiles = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong versions = new AtomicLong();
        final AtomicLong flushes = new AtomicLong();
        final AtomicLong lastFlushNanos = new AtomicLong();
        final AtomicLong failedWrites = new AtomicLong();
        final AtomicLong failedCommits = new AtomicLong();
        final AtomicLong lastFlushRows = new AtomicLong();
        final AtomicLong lastFlushFiles = new AtomicLong();
        final AtomicLong lastFlushBytes = new AtomicLong();

        void committed(String table, CommitOutcome.Committed commit) {
            rowsCommitted.addAndGet(commit.rows());
            rowsPerTable.computeIfAbsent(table, t -> new AtomicLong()).addAndGet(commit.rows());
            dataFiles.addAndGet(commit.files());
            bytes.addAndGet(commit.bytes());
            versions.incrementAndGet();
        }

        void flushed(long nanos, FlushTotals totals) {
            lastFlushNanos.set(nanos);
            flushes.incrementAndGet();
            if (totals.rows > 0) {
                lastFlushRows.set(totals.rows);
                lastFlushFiles.set(totals.files);
                lastFlushBytes.set(totals.bytes);
            }
        }

        SinkStats snapshot(long conflictsRetried) {
            Map<String, Long> perTable = new TreeMap<>();
            rowsPerTable.forEach((table, rows) -> perTable.put(table, rows.get()));
            return new SinkStats(recordsRead.get(), skippedRecords.get(), recordsAlreadyCommitted.get(),
                    rowsCommitted.get(), perTable, dataFiles.get(), bytes.get(), versions.get(), flushes.get(),
                    Duration.ofNanos(lastFlushNanos.get()), failedWrites.get(), failedCommits.get(),
                    lastFlushRows.get(), lastFlushFiles.get(), lastFlushBytes.get(), conflictsRetried);
        }
    }
}
