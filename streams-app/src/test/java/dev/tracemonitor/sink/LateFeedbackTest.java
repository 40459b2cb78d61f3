package dev.tracemonitor.sink;

import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TopicReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.delta.TraceLogsSchema;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.topology.Topics;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
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

/**
 * Feedback that arrives after its trace was written (the scoring deadline passed) is not lost: it is published on
 * trace-feedback with its table address and {@code trace-monitor.late=true}, and the sink writes it to the monitor's
 * trace_assessments table with {@code late = true}; the trace's trace_logs row has only the on-time feedback.
 */
class LateFeedbackTest {

    private static final int TRACES = 12;
    private static final String EXPERIMENT = "9";
    private static final MonitorConfig MONITOR = new MonitorConfig(EXPERIMENT, "main", "late",
            new MonitorConfig.AssessmentsConfig(1.0, List.of(
                    MonitorConfig.JudgeConfig.builtin("safety", null),
                    MonitorConfig.JudgeConfig.builtin("relevance_to_query", null))));

    private static KafkaClusterTestKit cluster;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        SinkTestLogging.quiet();
        cluster = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        cluster.close();
    }

    @Test
    void feedbackPublishedAfterTheScoringDeadlineLandsInTheAssessmentsTableMarkedLate() throws Exception {
        Topics topics = Topics.defaults();
        String warehouse = dir.resolve("warehouse").toString();
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, warehouse);
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        props.put(ServiceConfig.SCORING_DEADLINE_CONFIG, "PT2S");
        props.put(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, "64");
        ScriptedJudgeBackend backend = new ScriptedJudgeBackend();
        backend.hangingJudge = "relevance_to_query";
        TableAddress table = new TableAddress(MONITOR.catalogName(), MONITOR.schemaName(), EXPERIMENT);
        List<String> traceIds = IntStream.range(0, TRACES).mapToObj(i -> "late-" + i).toList();
        Engine engine = DefaultEngine.create(new Configuration());

        try (TraceMonitorService service = new TraceMonitorService(ServiceConfig.of(props), backend,
                TraceMonitorMetrics.inMemory());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            service.start();
            producer.send(new ProducerRecord<>(topics.monitorConfig(), TestTraces.utf8(EXPERIMENT),
                    MonitorConfigCodec.encode(MONITOR))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> !TopicReader.readToEnd(cluster.bootstrapServers(), topics.monitorStatus(), 0).isEmpty());
            for (String id : traceIds) {
                producer.send(new ProducerRecord<>(topics.traces(), TestTraces.utf8(id),
                        TestTraces.chat(id, EXPERIMENT, "What is Kafka?", "A log.")));
            }
            producer.flush();

            // every trace is written when the deadline passes, with safety's feedback only
            await().atMost(Duration.ofSeconds(90)).until(() -> service.sink().stats().rowsCommitted() >= TRACES);
            assertThat(service.sink().assessmentStats().rowsCommitted()).isEqualTo(TRACES);
            // then the hanging judge answers: late feedback
            backend.release.countDown();
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> service.sink().assessmentStats().rowsCommitted() >= 2L * TRACES);
        }

        Map<String, List<String>> inTraceLogs = new HashMap<>();
        int assessmentsColumn = TraceLogsSchema.SCHEMA.indexOf("assessments");
        DeltaTableStats.read(engine, SinkTableKind.TRACE_LOGS.path(table, warehouse)).orElseThrow().forEachRow(row -> {
            ArrayValue assessments = row.getArray(assessmentsColumn);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < assessments.getSize(); i++) {
                names.add(assessments.getElements().getChild(1).getString(i));
            }
            inTraceLogs.put(row.getString(0), names);
        });
        assertThat(inTraceLogs).hasSize(TRACES).allSatisfy((id, names) -> assertThat(names).containsExactly("safety"));

        List<String> rows = new ArrayList<>();
        var schema = TraceAssessmentsSchema.SCHEMA;
        String assessmentsTable = SinkTableKind.TRACE_ASSESSMENTS.path(table, warehouse);
        DeltaTableStats.read(engine, assessmentsTable).orElseThrow().forEachRow(row -> rows.add(
                row.getString(schema.indexOf("trace_id")) + " " + row.getString(schema.indexOf("assessment_name"))
                        + " late=" + row.getBoolean(schema.indexOf("late"))));
        List<String> expected = new ArrayList<>();
        traceIds.forEach(id -> {
            expected.add(id + " safety late=false");
            expected.add(id + " relevance_to_query late=true");
        });
        assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);

        List<ConsumerRecord<byte[], byte[]>> feedback = TopicReader.readToEnd(cluster.bootstrapServers(), topics.feedback(), 0);
        assertThat(feedback).hasSize(2 * TRACES).allSatisfy(r -> {
            Assessment a = TraceJsonCodec.decodeAssessment(r.value());
            assertThat(TableAddress.fromHeaders(r.headers())).isEqualTo(table);
            assertThat(FeedbackHeaders.isLate(r.headers())).isEqualTo(a.assessmentName().equals("relevance_to_query"));
        });
    }
}
