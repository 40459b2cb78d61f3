package dev.tracemonitor.chaos;

import dev.tracemonitor.testing.TestBroker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.SinkStats;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two service instances (in this JVM, distinct state directories, the same application.id and sink group) share the
 * partitions of every topic and write the same Delta tables; one of them is stopped and started again while traces
 * are produced. Each trace lands once, each sampled (trace, judge) has one Assessment.
 */
class TwoInstancesTest {

    private static final Logger log = LoggerFactory.getLogger(TwoInstancesTest.class);
    private static final int TRACES = 4_000;
    private static final String EXPERIMENT = "8";
    private static final MonitorConfig MONITOR = new MonitorConfig(EXPERIMENT, "main", "shared",
            new MonitorConfig.AssessmentsConfig(0.5, List.of(
                    MonitorConfig.JudgeConfig.builtin("safety", null),
                    MonitorConfig.JudgeConfig.builtin("relevance_to_query", 0.25))));
    private static final String SINK_GROUP = "shared-sink";

    private static KafkaClusterTestKit cluster;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        SinkTestLogging.quiet();
        cluster = TestBroker.start(Map.of("offsets.topic.num.partitions", "1", "transaction.state.log.num.partitions", "1"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void twoInstancesSharingPartitionsAndTablesWriteEachTraceAndAssessmentOnceAcrossAStopAndRestart()
            throws Exception {
        Topics topics = Topics.defaults();
        String warehouse = dir.resolve("warehouse").toString();
        TableAddress table = new TableAddress(MONITOR.catalogName(), MONITOR.schemaName(), EXPERIMENT);
        List<DemoRecord> records = new DemoTraces(8, EXPERIMENT, 1_750_000_000_000L).generate(TRACES, 0);
        Set<String> traceIds = new HashSet<>();
        records.forEach(r -> traceIds.add(r.key()));
        Set<String> expectedAssessments = ExactlyOnceChecks.expectedAssessments(MONITOR, traceIds);
        List<SinkStats> finished = new ArrayList<>();

        TraceMonitorService a = start("a");
        TraceMonitorService b = start("b");
        try (KafkaProducer<byte[], byte[]> producer = producer(); Admin admin = Admin.create(cluster.clientProperties())) {
            producer.send(new ProducerRecord<>(topics.monitorConfig(), utf8(EXPERIMENT), MonitorConfigCodec.encode(MONITOR))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> ExactlyOnceChecks.readCommitted(
                    cluster.bootstrapServers(), topics.monitorStatus()).stream().map(r -> MonitorStatus.decode(r.value()))
                    .anyMatch(s -> MonitorStatus.ACCEPTED.equals(s.status())));
            await().atMost(Duration.ofSeconds(60)).until(() -> membersWithPartitions(admin, SINK_GROUP) == 2
                    && membersWithPartitions(admin, SINK_GROUP + "-assessments") == 2);

            int third = TRACES / 3;
            send(producer, topics, records.subList(0, third));
            String traceLogs = SinkTableKind.TRACE_LOGS.path(table, warehouse);
            TraceMonitorService first = b;
            // both instances write the table: each owns some of the partitions
            await().atMost(Duration.ofSeconds(90)).until(() -> a.sink().stats().rowsCommitted() > 0
                    && first.sink().stats().rowsCommitted() > 0);

            send(producer, topics, records.subList(third, 2 * third));
            finished.add(b.sink().stats());
            b.close();
            log.info("instance b stopped");
            send(producer, topics, records.subList(2 * third, 5 * third / 2));
            b = start("b");
            log.info("instance b started again");
            // the rest only once b's sinks own partitions again, so that the restarted b has rows of its own to commit
            await().atMost(Duration.ofSeconds(60)).until(() -> membersWithPartitions(admin, SINK_GROUP) == 2
                    && membersWithPartitions(admin, SINK_GROUP + "-assessments") == 2);
            send(producer, topics, records.subList(5 * third / 2, TRACES));

            String assessments = SinkTableKind.TRACE_ASSESSMENTS.path(table, warehouse);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> DeltaRows.rows(traceLogs) >= TRACES
                            && DeltaRows.rows(assessments) >= expectedAssessments.size());
            TraceMonitorService restarted = b;
            await().atMost(Duration.ofSeconds(60)).until(() -> restarted.sink().stats().rowsCommitted() > 0);
        } finally {
            finished.add(a.sink().stats());
            finished.add(b.sink().stats());
            b.close();
            a.close();
        }
        long conflicts = finished.stream().mapToLong(SinkStats::commitConflictsRetried).sum();
        log.info("sink stats of a, b (first run), b (second run): {}; Delta commit conflicts retried: {}", finished,
                conflicts);

        String traceLogs = SinkTableKind.TRACE_LOGS.path(table, warehouse);
        List<String> ids = DeltaRows.traceIds(traceLogs);
        assertThat(ids).as("trace_logs rows").hasSize(TRACES);
        assertThat(new HashSet<>(ids)).as("distinct trace_ids").isEqualTo(traceIds);
        ExactlyOnceChecks.assertExactlyOncePerTraceAndJudge("trace_logs.assessments",
                DeltaRows.traceLogsAssessments(traceLogs), expectedAssessments);
        ExactlyOnceChecks.assertExactlyOncePerTraceAndJudge("trace_assessments",
                DeltaRows.assessmentRows(SinkTableKind.TRACE_ASSESSMENTS.path(table, warehouse)), expectedAssessments);
        ExactlyOnceChecks.assertExactlyOncePerTraceAndJudge("trace-feedback (read_committed)",
                ExactlyOnceChecks.feedbackOnTopic(cluster.bootstrapServers(), topics.feedback()), expectedAssessments);
    }

    private static TraceMonitorService start(String name) throws Exception {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, "shared");
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, SINK_GROUP);
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state-" + name).toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        props.put(ServiceConfig.TOPIC_PARTITIONS_CONFIG, "4");
        // Kafka Streams does not leave its group on close: let the stopped instance's member expire quickly
        props.put("session.timeout.ms", "6000");
        props.put("heartbeat.interval.ms", "1000");
        TraceMonitorService service = new TraceMonitorService(ServiceConfig.of(props), new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
        service.start();
        return service;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics, List<DemoRecord> records) {
        for (DemoRecord r : records) {
            producer.send(new ProducerRecord<>(topics.traces(), utf8(r.key()), r.value()));
        }
        producer.flush();
    }

    private static int membersWithPartitions(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        return (int) description.members().stream()
                .filter(member -> !member.assignment().topicPartitions().isEmpty()).count();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
