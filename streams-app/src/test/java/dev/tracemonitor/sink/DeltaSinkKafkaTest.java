package dev.tracemonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.delta.SinkTestTraces;
import dev.tracemonitor.serde.TraceJsonCodec;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

    private static KafkaClusterTestKit cluster;
    private static Admin admin;

    @TempDir
    Path warehouse;

    private final Engine engine = DefaultEngine.create(new Configuration());

    @BeforeAll
    static void startBroker() throws Exception {
        SinkTestLogging.quiet();
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        admin = Admin.create(cluster.clientProperties());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesEveryTraceOnceAndResumesFromTheDeltaVersionsAfterTheGroupOffsetsAreReset() throws Exception {
        String topic = createTopic("assessed-restart");
        String group = "sink-restart";
        List<String> firstIds = ids("a", 500);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "no-headers", TraceJsonCodec.encode(
                    SinkTestTraces.simple("no-headers", TABLE.experimentId(), Instant.now()))));
            ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(topic, "garbage",
                    "not a trace".getBytes(StandardCharsets.UTF_8));
            TABLE.writeTo(garbage.headers());
            producer.send(garbage);
            send(producer, topic, TABLE, firstIds);
        }
        String tablePath = SinkTableKind.TRACE_LOGS.path(TABLE, warehouse.toString());

        long started = System.nanoTime();
        try (DeltaSink sink = new DeltaSink(config(topic, group))) {
            sink.start();
            awaitWhileRunning(sink).untilAsserted(() -> assertThat(sink.stats().rowsCommitted()).isEqualTo(500));
            log.info("500 traces committed {} ms after the sink started; last flush {} ms",
                    (System.nanoTime() - started) / 1_000_000, sink.stats().lastFlushDuration().toMillis());
            SinkStats stats = sink.stats();
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
            awaitWhileRunning(sink).untilAsserted(() -> assertThat(sink.stats().rowsCommitted()).isEqualTo(100));
            assertThat(sink.stats().recordsRead()).as("records read after resuming from the Delta versions")
                    .isEqualTo(100);
            assertThat(sink.stats().recordsAlreadyCommitted()).isZero();
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
                awaitWhileRunning(first, second).untilAsserted(() -> assertThat(
                        first.stats().rowsCommitted() + second.stats().rowsCommitted()).isEqualTo(600));
                assertThat(second.stats().rowsCommitted()).isPositive();
            }
        }
        List<String> expectedFirst = new ArrayList<>(before.subList(0, 150));
        expectedFirst.addAll(after.subList(0, 150));
        List<String> expectedOther = new ArrayList<>(before.subList(150, 300));
        expectedOther.addAll(after.subList(150, 300));
        assertThat(traceIds(SinkTableKind.TRACE_LOGS.path(TABLE, warehouse.toString())))
                .hasSize(300).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedFirst);
        assertThat(traceIds(SinkTableKind.TRACE_LOGS.path(other, warehouse.toString())))
                .hasSize(300).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedOther);
    }

    @Test
    void closingCommitsWhatWasWrittenIncludingFilesRolledAtTheRowBound() throws Exception {
        String topic = createTopic("assessed-close");
        List<String> traceIds = ids("e", 90);
        DeltaSinkConfig config = DeltaSinkConfig.builder(cluster.bootstrapServers(), warehouse.toString())
                .groupId("sink-close").topic(topic).flushInterval(Duration.ofHours(1)).maxRowsPerFile(10).build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, TABLE, traceIds);
        }
        DeltaSink sink = new DeltaSink(config);
        sink.start();
        awaitWhileRunning(sink).untilAsserted(() -> assertThat(sink.stats().recordsRead()).isEqualTo(90));
        assertThat(sink.stats().rowsCommitted()).isZero();

        sink.close();

        assertThat(sink.stats().rowsCommitted()).isEqualTo(90);
        assertThat(sink.stats().deltaVersionsCommitted()).as("baseline and data versions").isEqualTo(2);
        assertThat(sink.stats().dataFilesCommitted()).isGreaterThanOrEqualTo(9);
        assertThat(traceIds(SinkTableKind.TRACE_LOGS.path(TABLE, warehouse.toString())))
                .containsExactlyInAnyOrderElementsOf(traceIds);
    }

    @Test
    void aRebalanceCommitsWhatTheRevokingSinkHadWritten() throws Exception {
        String topic = createTopic("assessed-revoke");
        String group = "sink-revoke";
        List<String> first = ids("f", 120);
        List<String> second = ids("g", 120);
        DeltaSinkConfig config = DeltaSinkConfig.builder(cluster.bootstrapServers(), warehouse.toString())
                .groupId(group).topic(topic).flushInterval(Duration.ofHours(1)).build();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, TABLE, first);
        }
        try (DeltaSink one = new DeltaSink(config)) {
            one.start();
            awaitWhileRunning(one).untilAsserted(() -> assertThat(one.stats().recordsRead()).isEqualTo(120));
            assertThat(one.stats().rowsCommitted()).isZero();
            try (DeltaSink two = new DeltaSink(config)) {
                two.start();
                awaitWhileRunning(one, two).untilAsserted(() -> assertThat(one.stats().rowsCommitted()).isEqualTo(120));
                assertThat(traceIds(SinkTableKind.TRACE_LOGS.path(TABLE, warehouse.toString())))
                        .containsExactlyInAnyOrderElementsOf(first);
                try (KafkaProducer<String, byte[]> producer = producer()) {
                    send(producer, topic, TABLE, second);
                }
                awaitWhileRunning(one, two).untilAsserted(() -> assertThat(
                        one.stats().recordsRead() + two.stats().recordsRead()).isEqualTo(240));
            }
        }
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(traceIds(SinkTableKind.TRACE_LOGS.path(TABLE, warehouse.toString())))
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
        DeltaSinkConfig config = DeltaSinkConfig.builder(cluster.bootstrapServers(), uri)
                .groupId("sink-file-uri").topic(topic).flushInterval(FLUSH_INTERVAL).build();
        try (DeltaSink sink = new DeltaSink(config)) {
            sink.start();
            // the last-flush totals are set when the flush ends, after its commits are counted
            awaitWhileRunning(sink).untilAsserted(() -> {
                assertThat(sink.stats().rowsCommitted()).isEqualTo(50);
                assertThat(sink.stats().lastFlushFiles()).isPositive();
            });
            assertThat(sink.stats().rowsCommittedPerTable())
                    .containsOnlyKeys(SinkTableKind.TRACE_LOGS.path(TABLE, uri));
            assertThat(sink.stats().lastFlushBytes()).isPositive();
        }
        assertThat(SinkTableKind.TRACE_LOGS.path(TABLE, uri)).startsWith("file:");
        assertThat(traceIds(SinkTableKind.TRACE_LOGS.path(TABLE, uri))).containsExactlyInAnyOrderElementsOf(traceIds);
        assertThat(traceIds(SinkTableKind.TRACE_LOGS.path(TABLE, warehouse.toString())))
                .as("the same table by its local path")
                .containsExactlyInAnyOrderElementsOf(traceIds);
    }

    private static ConditionFactory awaitWhileRunning(DeltaSink... sinks) {
        return await().atMost(TIMEOUT).failFast("a sink stopped on an error",
                () -> Arrays.stream(sinks).anyMatch(sink -> sink.failure().isPresent()));
    }

    private DeltaSinkConfig config(String topic, String group) {
        return DeltaSinkConfig.builder(cluster.bootstrapServers(), warehouse.toString())
                .groupId(group)
                .topic(topic)
                .flushInterval(FLUSH_INTERVAL)
                .alignToClock(true)
                .build();
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
        Instant now = Instant.now();
        for (String id : traceIds) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, id,
                    TraceJsonCodec.encode(SinkTestTraces.simple(id, table.experimentId(), now)));
            table.writeTo(record.headers());
            producer.send(record);
        }
        producer.flush();
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = cluster.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props);
    }
}
