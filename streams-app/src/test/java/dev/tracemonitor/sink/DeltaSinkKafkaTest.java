package dev.tracemonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.delta.DeltaStorage;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sink against a real in-JVM KRaft broker: routing, exactly-once across restarts and across a shared group. */
class DeltaSinkKafkaTest {

    private static final Logger log = LoggerFactory.getLogger(DeltaSinkKafkaTest.class);
    private static final int PARTITIONS = 3;
    private static final Duration FLUSH_INTERVAL = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final TableAddress TABLE = new TableAddress("main", "default", "1234");

    @RegisterExtension
    static final TestBroker broker = TestBroker.withSettings(Map.of("offsets.topic.num.partitions", "1"));
    private static Admin admin;

    @TempDir
    Path warehouse;

    private final Engine engine = DefaultEngine.create(new Configuration());

    @BeforeAll
    static void connect() {
        SinkTestLogging.quiet();
        admin = Admin.create(broker.clientProperties());
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void writesEveryTraceOnceAndResumesFromTheDeltaVersionsAfterTheGroupOffsetsAreReset() throws Exception {
        String topic = createTopic("assessed-restart");
        String group = "sink-restart";
        List<String> firstIds = ids("a", 500);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "no-headers",
                    TestTraces.trace("no-headers").experiment(TABLE.experimentId()).json()));
            ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(topic, "garbage",
                    "not a trace".getBytes(StandardCharsets.UTF_8));
            TABLE.writeTo(garbage.headers());
            producer.send(garbage);
            send(producer, topic, TABLE, firstIds);
        }
        String tablePath = traceLogs(TABLE, warehouse.toString());

        long started = System.nanoTime();
        try (DeltaSink sink = new DeltaSink(config(topic, group))) {
            sink.start();
            SinkStats stats = awaitWhileRunning(sink).until(sink::stats, s -> s.rowsCommitted() == 500);
            log.info("500 traces committed {} ms after the sink started; last flush {} ms",
                    (System.nanoTime() - started) / 1_000_000, stats.lastFlushDuration().toMillis());
            assertThat(stats.recordsRead()).isEqualTo(502);
            assertThat(stats.skippedRecords()).isEqualTo(2);
            assertThat(stats.rowsCommittedPerTable()).containsExactly(Map.entry(tablePath, 500L));
            assertThat(stats.dataFilesCommitted()).isPositive();
            assertThat(stats.bytesCommitted()).isPositive();
        }
        assertThat(traceIds(tablePath)).hasSize(500).containsExactlyInAnyOrderElementsOf(firstIds);

        Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
        IntStream.range(0, PARTITIONS).forEach(p -> zero.put(new TopicPartition(topic, p), new OffsetAndMetadata(0)));
        admin.alterConsumerGroupOffsets(group, zero).all().get();
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values())
                .extracting(OffsetAndMetadata::offset).containsOnly(0L);

        List<String> laterIds = ids("b", 100);
        try (DeltaSink sink = new DeltaSink(config(topic, group))) {
            sink.start();
            try (KafkaProducer<String, byte[]> producer = producer()) {
                send(producer, topic, TABLE, laterIds);
            }
            SinkStats stats = awaitWhileRunning(sink).until(sink::stats, s -> s.rowsCommitted() == 100);
            assertThat(stats.recordsRead()).as("records read after resuming from the Delta versions").isEqualTo(100);
            assertThat(stats.recordsAlreadyCommitted()).isZero();
        }
        List<String> all = new ArrayList<>(firstIds);
        all.addAll(laterIds);
        List<String> ids = traceIds(tablePath);
        assertThat(ids).hasSize(600).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        assertThat(DeltaTableStats.read(engine, tablePath).orElseThrow().rows()).isEqualTo(600);
    }

    @Test
    void twoSinksInOneGroupSplitThePartitionsAndWriteEachTraceOnceToItsTable() throws Exception {
        String topic = createTopic("assessed-shared");
        String group = "sink-shared";
        TableAddress other = new TableAddress("main", "default", "5678");
        List<String> before = ids("c", 300);
        List<String> after = ids("d", 300);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, TABLE, before.subList(0, 150));
            send(producer, topic, other, before.subList(150, 300));
        }
        try (DeltaSink first = new DeltaSink(config(topic, group))) {
            first.start();
            awaitWhileRunning(first).untilAsserted(() -> assertThat(first.stats().rowsCommitted()).isPositive());
            try (DeltaSink second = new DeltaSink(config(topic, group))) {
                second.start();
                awaitWhileRunning(first, second).until(() -> membersWithPartitions(group) == 2);
                try (KafkaProducer<String, byte[]> producer = producer()) {
                    send(producer, topic, TABLE, after.subList(0, 150));
                    send(producer, topic, other, after.subList(150, 300));
                }
                List<SinkStats> both = awaitWhileRunning(first, second).until(
                        () -> List.of(first.stats(), second.stats()),
                        s -> s.get(0).rowsCommitted() + s.get(1).rowsCommitted() == 600);
                assertThat(both.get(1).rowsCommitted()).as("rows the second sink committed").isPositive();
            }
        }
        List<String> expectedFirst = new ArrayList<>(before.subList(0, 150));
        expectedFirst.addAll(after.subList(0, 150));
        List<String> expectedOther = new ArrayList<>(before.subList(150, 300));
        expectedOther.addAll(after.subList(150, 300));
        assertThat(traceIds(traceLogs(TABLE, warehouse.toString())))
                .hasSize(300).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedFirst);
        assertThat(traceIds(traceLogs(other, warehouse.toString())))
                .hasSize(300).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedOther);
    }

    @Test
    void closingCommitsWhatWasWrittenIncludingFilesRolledAtTheRowBound() throws Exception {
        String topic = createTopic("assessed-close");
        List<String> traceIds = ids("e", 90);
        DeltaSinkConfig config = DeltaSinkConfig.builder(broker.bootstrapServers(), warehouse.toString())
                .groupId("sink-close").topic(topic).flushInterval(Duration.ofHours(1)).maxRowsPerFile(10).build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, TABLE, traceIds);
        }
        DeltaSink sink = new DeltaSink(config);
        sink.start();
        SinkStats read = awaitWhileRunning(sink).until(sink::stats, s -> s.recordsRead() == 90);
        assertThat(read.rowsCommitted()).as("committed before the close (the flush interval is an hour)").isZero();

        sink.close();

        assertThat(sink.stats().rowsCommitted()).isEqualTo(90);
        assertThat(sink.stats().deltaVersionsCommitted()).as("baseline and data versions").isEqualTo(2);
        assertThat(sink.stats().dataFilesCommitted()).isGreaterThanOrEqualTo(9);
        assertThat(traceIds(traceLogs(TABLE, warehouse.toString()))).containsExactlyInAnyOrderElementsOf(traceIds);
    }

    @Test
    void aRebalanceCommitsWhatTheRevokingSinkHadWritten() throws Exception {
        String topic = createTopic("assessed-revoke");
        String group = "sink-revoke";
        List<String> first = ids("f", 120);
        List<String> second = ids("g", 120);
        DeltaSinkConfig config = DeltaSinkConfig.builder(broker.bootstrapServers(), warehouse.toString())
                .groupId(group).topic(topic).flushInterval(Duration.ofHours(1)).build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, TABLE, first);
        }
        try (DeltaSink one = new DeltaSink(config)) {
            one.start();
            SinkStats read = awaitWhileRunning(one).until(one::stats, s -> s.recordsRead() == 120);
            assertThat(read.rowsCommitted()).as("committed before the rebalance (the flush interval is an hour)")
                    .isZero();
            try (DeltaSink two = new DeltaSink(config)) {
                two.start();
                awaitWhileRunning(one, two).untilAsserted(() -> assertThat(one.stats().rowsCommitted()).isEqualTo(120));
                assertThat(traceIds(traceLogs(TABLE, warehouse.toString()))).containsExactlyInAnyOrderElementsOf(first);
                try (KafkaProducer<String, byte[]> producer = producer()) {
                    send(producer, topic, TABLE, second);
                }
                awaitWhileRunning(one, two).untilAsserted(() -> assertThat(
                        one.stats().recordsRead() + two.stats().recordsRead()).isEqualTo(240));
            }
        }
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(traceIds(traceLogs(TABLE, warehouse.toString())))
                .hasSize(240).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void writesToAWarehouseGivenAsAFileUri() throws Exception {
        String topic = createTopic("assessed-file-uri");
        String uri = warehouse.toUri().toString(); // file:///tmp/junit…/
        List<String> traceIds = ids("h", 50);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, TABLE, traceIds);
        }
        DeltaSinkConfig config = DeltaSinkConfig.builder(broker.bootstrapServers(), uri)
                .groupId("sink-file-uri").topic(topic).flushInterval(FLUSH_INTERVAL).build();
        try (DeltaSink sink = new DeltaSink(config)) {
            sink.start();
            // the last-flush totals are set when the flush ends, after its commits are counted
            SinkStats stats = awaitWhileRunning(sink).until(sink::stats,
                    s -> s.rowsCommitted() == 50 && s.lastFlushFiles() > 0);
            assertThat(stats.rowsCommittedPerTable()).containsOnlyKeys(traceLogs(TABLE, uri));
            assertThat(stats.lastFlushBytes()).isPositive();
        }
        assertThat(traceLogs(TABLE, uri)).startsWith("file:");
        assertThat(traceIds(traceLogs(TABLE, uri))).containsExactlyInAnyOrderElementsOf(traceIds);
        assertThat(traceIds(traceLogs(TABLE, warehouse.toString()))).as("the same table by its local path")
                .containsExactlyInAnyOrderElementsOf(traceIds);
    }

    @Test
    void keepsReadingWhileAFlushCommits() throws Exception {
        String topic = createTopic("assessed-in-flight");
        DeltaSinkConfig config = DeltaSinkConfig.builder(broker.bootstrapServers(), warehouse.toString())
                .groupId("sink-in-flight").topic(topic).flushInterval(FLUSH_INTERVAL)
                .hadoopConf(DeltaStorage.FILE_LOG_STORE_KEY, GatedLogStore.class.getName()).build();
        List<String> first = ids("first", 100);
        List<String> second = ids("second", 100);
        String tablePath = traceLogs(TABLE, warehouse.toString());
        try (DeltaSink sink = new DeltaSink(config); KafkaProducer<String, byte[]> producer = producer()) {
            CountDownLatch held = GatedLogStore.close();
            try {
                sink.start();
                send(producer, topic, TABLE, first);
                assertThat(held.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("a data commit is in flight").isTrue();
                send(producer, topic, TABLE, second);
                awaitWhileRunning(sink).until(() -> sink.stats().recordsRead() == 200);
                assertThat(sink.stats().rowsCommitted()).as("nothing committed while the commit is held").isZero();
            } finally {
                GatedLogStore.open();
            }
            awaitWhileRunning(sink).until(sink::stats, s -> s.rowsCommitted() == 200);
        }
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(traceIds(tablePath)).hasSize(200).containsExactlyInAnyOrderElementsOf(all);
    }

    private static ConditionFactory awaitWhileRunning(DeltaSink... sinks) {
        return await().atMost(TIMEOUT).failFast("a sink stopped on an error",
                () -> Arrays.stream(sinks).anyMatch(sink -> sink.failure().isPresent()));
    }

    private DeltaSinkConfig config(String topic, String group) {
        return DeltaSinkConfig.builder(broker.bootstrapServers(), warehouse.toString())
                .groupId(group)
                .topic(topic)
                .flushInterval(FLUSH_INTERVAL)
                .alignToClock(true)
                .build();
    }

    private static String traceLogs(TableAddress table, String warehouse) {
        return SinkTableKind.TRACE_LOGS.path(table, warehouse);
    }

    private List<String> traceIds(String tablePath) {
        return DeltaTableStats.read(engine, tablePath).orElseThrow().traceIds();
    }

    private static String createTopic(String name) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get();
        // producing before every partition has a leader can leave an idempotent producer retrying forever
        // (NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER on this single-node cluster)
        await().atMost(TIMEOUT).until(() -> admin.describeTopics(List.of(name)).allTopicNames().get().get(name)
                .partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        return name;
    }

    private static int membersWithPartitions(String group) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        return (int) description.members().stream()
                .filter(member -> !member.assignment().topicPartitions().isEmpty())
                .count();
    }

    private static List<String> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).collect(Collectors.toList());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, TableAddress table,
                             List<String> traceIds) {
        for (String id : traceIds) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, id,
                    TestTraces.trace(id).experiment(table.experimentId()).json());
            table.writeTo(record.headers());
            producer.send(record);
        }
        producer.flush();
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = broker.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props);
    }
}
