package dev.tracemonitor.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.testing.TestTraces;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers of one table through {@link DeltaTable}: concurrent commits (two instances whose flushes are aligned to the
 * clock) are retried until all land, and a writer whose expectations about its source partitions no longer hold (a
 * zombie that lost the partition to another writer) commits nothing.
 */
class ConcurrentWritersTest {

    private static final Instant DAY = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private final Engine engine = DefaultEngine.create(DeltaStorage.configure(new Configuration()));

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @Test
    void commitsOfTwoWritersRacingForTheSameVersionsAreRetriedUntilAllLandOnce() throws Exception {
        String path = dir.resolve("trace_logs_1").toString();
        int rounds = 15;
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Long>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                TraceLogsTable table = new TraceLogsTable(DefaultEngine.create(DeltaStorage.configure(new Configuration())), path);
                String appId = "group-topic-" + writer;
                Long previous = null;
                for (int round = 0; round < rounds; round++) {
                    List<DataFile> files = table.write(TraceLogsSchema.requestDate(DAY.toEpochMilli()),
                            List.of(trace("w" + writer + "-" + round, "1")));
                    Map<String, Long> expected = new java.util.HashMap<>();
                    expected.put(appId, previous);
                    barrier.await(30, java.util.concurrent.TimeUnit.SECONDS); // both commit at the same moment
                    CommitOutcome outcome = table.commit(files, Map.of(appId, (long) round), expected);
                    if (!(outcome instanceof CommitOutcome.Committed)) {
                        barrier.reset();
                    }
                    assertThat(outcome).as("writer %s round %s", writer, round).isInstanceOf(CommitOutcome.Committed.class);
                    previous = (long) round;
                }
                return table.conflictsRetried();
            }));
        }
        long conflicts = 0;
        List<Throwable> failures = new ArrayList<>();
        for (Future<Long> writer : writers) {
            try {
                conflicts += writer.get(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("writers failed: " + failures);
            failures.forEach(error::addSuppressed);
            throw error;
        }
        pool.shutdown();

        DeltaTableStats stats = DeltaTableStats.read(engine, path).orElseThrow();
        assertThat(stats.rows()).isEqualTo(2L * rounds);
        assertThat(new HashSet<>(stats.traceIds())).hasSize(2 * rounds);
        assertThat(stats.version()).as("one version per commit").isEqualTo(2L * rounds - 1);
        assertThat(stats.transactionVersion("group-topic-0")).contains((long) rounds - 1);
        assertThat(stats.transactionVersion("group-topic-1")).contains((long) rounds - 1);
        assertThat(conflicts).as("commits that lost the race for a version and were retried").isPositive();
    }

    @Test
    void aWriterThatMeetsAHalfWrittenCheckpointReadsTheTableAgainUntilTheCheckpointIsComplete() throws Exception {
        String path = dir.resolve("trace_logs_3").toString();
        TraceLogsTable table = new TraceLogsTable(engine, path);
        String appId = "group-topic-0";
        for (long version = 0; version <= 10; version++) {
            CommitOutcome outcome = table.commit(rowsOf("c-" + version, table), Map.of(appId, version));
            assertThat(outcome).isInstanceOf(CommitOutcome.Committed.class);
        }
        Path checkpoint = Path.of(path, "_delta_log", "00000000000000000010.checkpoint.parquet");
        Path checksum = checkpoint.resolveSibling("." + checkpoint.getFileName() + ".crc");
        byte[] complete = Files.readAllBytes(checkpoint);
        byte[] completeChecksum = Files.readAllBytes(checksum);
        // what a reader sees while another writer is still writing its checkpoint in place
        Files.delete(checksum);
        Files.write(checkpoint, Arrays.copyOf(complete, complete.length / 2));

        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TableLog.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            TraceLogsTable other = new TraceLogsTable(engine, path);
            List<DataFile> files = rowsOf("c-11", other);
            Future<CommitOutcome> commit = pool.submit(() -> other.commit(files, Map.of(appId, 11L), Map.of(appId, 10L)));
            await().atMost(Duration.ofSeconds(30)).until(() -> List.copyOf(events.list).stream()
                    .anyMatch(e -> e.getFormattedMessage().contains("is still being written")));
            assertThat(commit).isNotDone();

            Files.write(checkpoint, complete);
            Files.write(checksum, completeChecksum);

            assertThat(commit.get(30, TimeUnit.SECONDS)).isInstanceOf(CommitOutcome.Committed.class);
        } finally {
            pool.shutdownNow();
            logger.detachAppender(events);
            logger.setLevel(level);
        }
        assertThat(table.transactionVersions(List.of(appId))).isEqualTo(Map.of(appId, 11L));
        assertThat(DeltaTableStats.read(engine, path).orElseThrow().rows()).isEqualTo(12);
    }

    private static List<DataFile> rowsOf(String traceId, TraceLogsTable table) throws java.io.IOException {
        return table.write(TraceLogsSchema.requestDate(DAY.toEpochMilli()), List.of(trace(traceId, "1")));
    }

    @Test
    void aWriterThatNoLongerOwnsItsPartitionCommitsNothingEvenWithAHigherVersion() throws Exception {
        String path = dir.resolve("trace_logs_2").toString();
        TraceLogsTable owner = new TraceLogsTable(engine, path);
        TraceLogsTable zombie = new TraceLogsTable(DefaultEngine.create(DeltaStorage.configure(new Configuration())), path);
        int date = TraceLogsSchema.requestDate(DAY.toEpochMilli());
        assertThat(owner.commit(owner.write(date, List.of(trace("a", "2"))),
                Map.of("g-t-0", 10L), Map.of())).isInstanceOf(CommitOutcome.Committed.class);

        // the zombie last saw version 10 of partition 0 too, and has rows up to offset 25 pending
        List<DataFile> zombieFiles = zombie.write(date, List.of(trace("b", "2")));
        // meanwhile the partition's new owner writes offsets 11..20
        assertThat(owner.commit(owner.write(date, List.of(trace("c", "2"))),
                Map.of("g-t-0", 20L), Map.of("g-t-0", 10L))).isInstanceOf(CommitOutcome.Committed.class);

        CommitOutcome late = zombie.commit(zombieFiles, Map.of("g-t-0", 25L), Map.of("g-t-0", 10L));

        assertThat(late).isInstanceOf(CommitOutcome.AlreadyWritten.class);
        assertThat(((CommitOutcome.AlreadyWritten) late).committedVersions()).containsEntry("g-t-0", 20L);
        DeltaTableStats stats = DeltaTableStats.read(engine, path).orElseThrow();
        assertThat(stats.traceIds()).containsExactlyInAnyOrder("a", "c");
        assertThat(stats.transactionVersion("g-t-0")).contains(20L);
    }

    @Test
    void assessmentsTableRowsCarryTheAssessmentFieldsAndTheLateFlag() throws Exception {
        String path = dir.resolve("trace_assessments_3").toString();
        TraceAssessmentsTable table = new TraceAssessmentsTable(engine, path);
        long created = DAY.toEpochMilli();
        Assessment onTime = new Assessment(Assessment.deterministicId("t1", "safety", null), "safety", "t1", null,
                new AssessmentSource(AssessmentSource.CODE, "scripted/safety"), created, created, Feedback.of("yes"),
                "fine", Map.of("trace_monitor.config_version", "3"));
        Assessment late = new Assessment(Assessment.deterministicId("t1", "groundedness", "s2"), "groundedness", "t1",
                "s2", null, created + 1, created + 2, Feedback.error("TIMEOUT", "slow"), null, null);
        int date = TraceAssessmentsSchema.createDate(created);
        List<DataFile> files = table.write(date, List.of(new AssessmentRow(onTime, false), new AssessmentRow(late, true)));
        assertThat(table.commit(files, Map.of("g-trace-feedback-0", 1L))).isInstanceOf(CommitOutcome.Committed.class);

        List<String> rows = new ArrayList<>();
        DeltaTableStats stats = DeltaTableStats.read(engine, path).orElseThrow();
        assertThat(stats.rows()).isEqualTo(2);
        io.delta.kernel.types.StructType schema = TraceAssessmentsSchema.SCHEMA;
        stats.forEachRow(row -> {
            io.delta.kernel.data.Row feedback = row.getStruct(schema.indexOf("feedback"));
            String value = feedback.isNullAt(0) ? null : feedback.getString(0);
            String error = feedback.isNullAt(1) ? null : feedback.getStruct(1).getString(0);
            rows.add(String.join("|", row.getString(schema.indexOf("trace_id")),
                    row.getString(schema.indexOf("assessment_name")),
                    String.valueOf(row.isNullAt(schema.indexOf("span_id")) ? null : row.getString(schema.indexOf("span_id"))),
                    String.valueOf(row.isNullAt(schema.indexOf("source")) ? null
                            : row.getStruct(schema.indexOf("source")).getString(1)),
                    String.valueOf(row.getLong(schema.indexOf("create_time"))),
                    String.valueOf(row.getInt(schema.indexOf("create_date"))),
                    String.valueOf(value), String.valueOf(error),
                    String.valueOf(row.getBoolean(schema.indexOf("late")))));
        });
        long micros = created * 1000;
        assertThat(rows).containsExactlyInAnyOrder(
                "t1|safety|null|scripted/safety|" + micros + "|" + date + "|yes|null|false",
                "t1|groundedness|s2|null|" + (micros + 1000) + "|" + date + "|null|TIMEOUT|true");
    }

    /** A trace of the day the tables are written for. */
    private static Trace trace(String traceId, String experimentId) {
        return TestTraces.trace(traceId).experiment(experimentId).requestTime(DAY).build();
    }
}
