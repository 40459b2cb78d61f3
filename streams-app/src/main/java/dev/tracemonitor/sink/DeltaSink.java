package dev.tracemonitor.sink;

import dev.tracemonitor.delta.DeltaTable;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
 * own thread; a scheduled flush seals the tables' pending rows and writes and commits them on writer threads, the
 * tables in parallel, while this thread reads on (one flush at a time; a flush on revocation or close is waited for).
 * The group's offsets move, after the flush, to where the partitions were when it started.
 *
 * <p>This class is the loop: poll, route each record to its table, flush on schedule, follow rebalances. It composes
 * the {@link PartitionPositions} (transaction ids, seek targets, expected versions), the {@link BufferBudget}, the
 * {@link TableWriter} (writing files and the commit protocol) and the {@link SinkCounters}.
 */
public final class DeltaSink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeltaSink.class);
    private static final long MAX_POLL_WAIT_MILLIS = 200;
    private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration UNCOMMITTED_FILE_MARGIN = Duration.ofMinutes(5);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final AtomicInteger WRITER_THREADS = new AtomicInteger();

    private final DeltaSinkConfig config;
    private final Engine engine;
    private final Warehouse warehouse;
    private final FlushSchedule schedule;
    private final SinkCounters counters = new SinkCounters();
    private final PartitionPositions positions;
    private final BufferBudget budget;
    private final ExecutorService writers;
    private final TableWriter writer;
    private final Map<String, SinkTable> tables = new HashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();

    private volatile boolean running;
    private volatile boolean flushRequested;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private boolean rewindPending;
    private boolean paused;
    private boolean closing;
    private InFlight inFlight;

    public DeltaSink(DeltaSinkConfig config) {
        this(config, DefaultEngine.create(config.hadoopConfiguration()));
    }

    public DeltaSink(DeltaSinkConfig config, Engine engine) {
        this.config = Objects.requireNonNull(config, "config");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.warehouse = new Warehouse(config.warehouse(), config.hadoopConfiguration(), config.kind().tablePrefix());
        this.schedule = new FlushSchedule(config.flushInterval(), config.alignToClock());
        this.positions = new PartitionPositions(config);
        this.budget = new BufferBudget(config.maxBufferedBytes());
        this.writers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "delta-sink-writer-" + config.groupId() + "-" + WRITER_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.writer = new TableWriter(warehouse, positions, counters, writers);
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

    public DeltaSinkConfig config() {
        return config;
    }

    public boolean isRunning() {
        return running;
    }

    /** Whether this sink is currently assigned the partition of its topic (its group elects one owner). */
    public boolean owns(int partition) {
        return owned.contains(partition);
    }

    /** Why the sink thread stopped, if it stopped on an error. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    public SinkStats stats() {
        return counters.snapshot();
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
            long lastPollReturned = -1;
            while (running) {
                long wait = Math.max(0, Math.min(MAX_POLL_WAIT_MILLIS, nextFlush - System.currentTimeMillis()));
                if (lastPollReturned >= 0) {
                    counters.pollGap(System.nanoTime() - lastPollReturned);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(wait));
                lastPollReturned = System.nanoTime();
                if (rewindPending) {
                    rewind();
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    handle(record);
                }
                if (inFlight != null && inFlight.flush().isDone()) {
                    finishFlush();
                }
                if (inFlight == null && (flushRequested || System.currentTimeMillis() >= nextFlush)) {
                    flushRequested = false;
                    startFlush(FlushReason.SCHEDULED);
                    nextFlush = schedule.nextAfter(System.currentTimeMillis());
                }
            }
            flush(FlushReason.CLOSE);
        } catch (Exception | Error e) {
            failure.set(e);
            log.error("Delta sink stopped on an error; uncommitted rows will be read again from Kafka", e);
        } finally {
            closing = true;
            try {
                finishFlush();
            } catch (RuntimeException e) {
                log.warn("The last flush could not be finished: {}", e.toString());
            }
            abandonAll();
            if (consumer != null) {
                try {
                    consumer.close(CONSUMER_CLOSE_TIMEOUT);
                } catch (RuntimeException e) {
                    log.warn("Closing the consumer failed: {}", e.toString());
                }
            }
            writers.shutdownNow();
            running = false;
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        counters.recordRead();
        int partition = record.partition();
        positions.processed(partition, record.offset());
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
        if (positions.holds(table, partition, record.offset())) {
            counters.alreadyCommitted();
            return;
        }
        int date = table.delta().partitionDate(row);
        int buffered = table.add(partition, record.offset(), date, row, Math.max(0, record.serializedValueSize()));
        if (!paused && buffered >= config.maxRowsPerFile()) {
            writeBuffer(table, date);
        }
        while (!paused && budget.exceeded()) {
            SinkTable largest = tables.values().stream()
                    .max(Comparator.comparingLong(SinkTable::largestBufferBytes)).orElseThrow();
            if (largest.largestBufferBytes() == 0) {
                break; // the rest is a flush's, being written
            }
            writeBuffer(largest, largest.largestBuffer());
        }
    }

    private void skip(ConsumerRecord<byte[], byte[]> record, String reason) {
        counters.skipped(1);
        log.warn("Skipping record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    }

    private void writeBuffer(SinkTable table, int date) {
        if (!writer.writeBuffer(table, date)) {
            consumer.pause(consumer.assignment());
            paused = true;
        }
    }

    /**
     * A flush whose commits run on the writer threads while the sink reads on: the partitions' last processed offsets
     * when it started, which are what its commits carry and so what the group's offsets may move to.
     */
    private record InFlight(TableWriter.Flush flush, FlushReason reason, long startNanos, int tables,
                            Map<Integer, Long> processedAtStart) {
    }

    /** Commits every table's rows written since its last commit ({@link TableWriter}), then the Kafka offsets. */
    private void flush(FlushReason reason) {
        finishFlush();
        startFlush(reason);
        finishFlush();
    }

    /** Starts a flush of every table with pending rows; the sink reads on until {@link #finishFlush}. */
    private void startFlush(FlushReason reason) {
        long start = System.nanoTime();
        List<SinkTable> pending = tables.values().stream().filter(SinkTable::hasPending).toList();
        if (!pending.isEmpty()) {
            log.info("Flush ({}) starting: {} table(s) with {} pending rows", reason, pending.size(),
                    pending.stream().mapToLong(SinkTable::pendingRows).sum());
        }
        Map<Integer, Long> processedAtStart = positions.processedNow();
        inFlight = new InFlight(writer.start(pending, reason), reason, start, pending.size(), processedAtStart);
    }

    /** Waits for the flush under way, if any, and applies it: positions, Kafka offsets, counters. */
    private void finishFlush() {
        InFlight current = inFlight;
        if (current == null) {
            return;
        }
        inFlight = null;
        TableWriter.FlushOutcome outcome = writer.finish(current.flush());
        rewindPending |= outcome.dropped();
        commitKafkaOffsets(current.processedAtStart(), outcome.uncommittedPartitions());
        counters.flushed(System.nanoTime() - current.startNanos(), outcome,
                tables.values().stream().mapToLong(t -> t.delta().conflictsRetried()).sum());
        if (paused && outcome.allCommitted()) {
            consumer.resume(consumer.paused());
            paused = false;
        }
        if (current.tables() > 0) {
            log.info("Flush ({}) finished: {} table(s), {} rows in {} data files, {} bytes (largest file {} bytes),"
                            + " took {} ms{}; longest gap between polls so far {} ms", current.reason(),
                    current.tables(), outcome.rows(), outcome.files(), outcome.bytes(), outcome.largestFile(),
                    (System.nanoTime() - current.startNanos()) / 1_000_000,
                    outcome.allCommitted() ? "" : "; some tables were not committed",
                    counters.snapshot().longestPollGap().toMillis());
        }
    }

    private void commitKafkaOffsets(Map<Integer, Long> processedAtStart, Set<Integer> uncommitted) {
        Map<TopicPartition, OffsetAndMetadata> offsets = positions.kafkaOffsets(processedAtStart, uncommitted);
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
        finishFlush();
        rewindPending = false;
        abandonAll();
        positions.forgetTableVersions();
        seek(new ArrayList<>(positions.assigned()), true);
    }

    private void abandonAll() {
        for (SinkTable table : tables.values()) {
            if (table.hasPending()) {
                table.abandon();
            }
        }
    }

    /**
     * Opens the tables of the warehouse not known yet, reads what the tables hold of the partitions, and positions each
     * partition where {@link PartitionPositions#resume} says.
     */
    private void seek(Collection<Integer> partitions, boolean reloadAllTables) {
        if (partitions.isEmpty()) {
            return;
        }
        List<SinkTable> opened = new ArrayList<>();
        try {
            for (TableAddress address : warehouse.tables()) {
                String path = config.kind().path(address, config.warehouse());
                if (!tables.containsKey(path)) {
                    tables.put(path, open(path));
                    opened.add(tables.get(path));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the tables of " + config.warehouse(), e);
        }
        for (SinkTable table : tables.values()) {
            positions.load(table, opened.contains(table) || reloadAllTables ? positions.assigned() : partitions);
        }
        Set<TopicPartition> topicPartitions = new HashSet<>();
        partitions.forEach(p -> topicPartitions.add(new TopicPartition(config.topic(), p)));
        Map<TopicPartition, OffsetAndMetadata> kafkaOffsets = consumer.committed(topicPartitions);
        for (int partition : partitions) {
            TopicPartition tp = new TopicPartition(config.topic(), partition);
            PartitionPositions.Resume resume = positions.resume(partition, kafkaOffsets.get(tp));
            if (resume.offset() == null) {
                log.info("Partition {} has no committed position; starting from auto.offset.reset", tp);
                continue;
            }
            consumer.seek(tp, resume.offset());
            log.info("Partition {} resumes at offset {} (Delta tables: {}, Kafka group: {})", tp, resume.offset(),
                    resume.fromDelta(), resume.fromKafka());
        }
    }

    private SinkTable table(String path) {
        SinkTable table = tables.get(path);
        if (table == null) {
            table = open(path);
            positions.load(table, positions.assigned());
            tables.put(path, table);
        }
        return table;
    }

    private SinkTable open(String path) {
        return new SinkTable(path, config.kind().open(engine, path), budget);
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
            owned.removeAll(partitions(partitions));
            flush(FlushReason.REVOCATION);
            positions.release(partitions(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (closing || partitions.isEmpty()) {
                return;
            }
            List<Integer> added = partitions(partitions);
            positions.assign(added);
            owned.addAll(added);
            seek(added, false);
            if (paused) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            log.warn("Partitions {} were lost; dropping everything not yet committed", partitions);
            owned.removeAll(partitions(partitions));
            finishFlush();
            abandonAll();
            positions.release(partitions(partitions));
            rewindPending = !positions.assigned().isEmpty();
        }

        private static List<Integer> partitions(Collection<TopicPartition> partitions) {
            return partitions.stream().map(TopicPartition::partition).toList();
        }
    }
}
