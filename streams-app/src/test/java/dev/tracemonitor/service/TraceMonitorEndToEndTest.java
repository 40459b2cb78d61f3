package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TopicReader;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.topology.DeadLetters;
import dev.tracemonitor.topology.Topics;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole service on a real in-JVM KRaft broker: traces → feedback → traces-assessed → Delta rows. */
class TraceMonitorEndToEndTest {

    private static final int TRACES = 200;
    private static final int MALFORMED = 6;
    private static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "e2e",
             "assessments_config": {"sample": 0.5, "assessments": [
               {"name": "safety"}, {"name": "groundedness"}, {"name": "chunk_relevance", "sample_rate": 0.2}]}}""";

    private static KafkaClusterTestKit cluster;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        cluster.close();
    }

    @Test
    void everyTraceReachesDeltaOnceWithItsFeedbackAndBadRecordsReachTheDeadLetterTopic() throws Exception {
        Topics topics = Topics.defaults();
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        ServiceConfig config = ServiceConfig.of(props);
        TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();

        List<DemoRecord> records = new DemoTraces(7, "42", 1_750_000_000_000L).generate(TRACES, MALFORMED);
        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(), metrics);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            service.start();
            producer.send(new ProducerRecord<>(topics.monitorConfig(), TestTraces.utf8("42"), TestTraces.utf8(MONITOR))).get();
            List<ConsumerRecord<byte[], byte[]>> status = TopicReader.readToEnd(cluster.bootstrapServers(), topics.monitorStatus(), 1);
            assertThat(MonitorStatus.decode(status.get(0).value()).status()).isEqualTo(MonitorStatus.ACCEPTED);

            for (DemoRecord record : records) {
                producer.send(new ProducerRecord<>(topics.traces(), TestTraces.utf8(record.key()), record.value()));
            }
            producer.flush();

            await().atMost(Duration.ofMinutes(2)).until(() -> service.sink().stats().rowsCommitted() >= TRACES);
        }

        List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.readToEnd(cluster.bootstrapServers(), topics.dlq(), MALFORMED);
        assertThat(dead).hasSize(MALFORMED).allSatisfy(r ->
                assertThat(DeadLetters.header(r.headers(), DeadLetters.ERROR_REASON)).isNotBlank());

        String table = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "e2e", "42"),
                dir.resolve("warehouse").toString());
        DeltaTableStats stats = DeltaTableStats.read(DefaultEngine.create(new Configuration()), table).orElseThrow();
        Set<String> expectedIds = new HashSet<>();
        records.stream().filter(DemoRecord::wellFormed).forEach(r -> expectedIds.add(r.key()));
        assertThat(stats.rows()).isEqualTo(TRACES);
        assertThat(stats.traceIds()).hasSize(TRACES).containsExactlyInAnyOrderElementsOf(expectedIds);

        List<Assessment> feedback = TopicReader.readToEnd(cluster.bootstrapServers(), topics.feedback(), 1).stream()
                .map(r -> TraceJsonCodec.decodeAssessment(r.value())).toList();
        Set<String> feedbackIds = new HashSet<>();
        feedback.forEach(a -> assertThat(feedbackIds.add(a.assessmentId())).as("duplicate %s", a.assessmentId()).isTrue());
        Set<String> safetyTraces = new HashSet<>();
        feedback.stream().filter(a -> a.assessmentName().equals("safety")).forEach(a -> safetyTraces.add(a.traceId()));
        Set<String> sampled = new HashSet<>();
        expectedIds.stream().filter(id -> Sampler.u(id) < 0.5).forEach(sampled::add);
        assertThat(safetyTraces).isEqualTo(sampled);

        List<ConsumerRecord<byte[], byte[]>> assessed = TopicReader.readToEnd(cluster.bootstrapServers(), topics.assessed(), TRACES);
        assertThat(assessed).hasSize(TRACES);
        long assessmentsInAssessed = assessed.stream()
                .mapToLong(r -> TraceJsonCodec.decode(r.value()).info().assessments().size()).sum();
        assertThat(assessmentsInAssessed).isEqualTo(feedback.size());
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
