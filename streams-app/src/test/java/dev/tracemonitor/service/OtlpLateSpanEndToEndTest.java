package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.TraceLogsSchema;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.OtelApp;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's late spans on a real broker: a span that comes after its trace was written makes exactly one more
 * trace_logs row of the same trace id, tagged as a late update, with the whole span tree, and no second Assessment.
 */
class OtlpLateSpanEndToEndTest {

    private static final String EXPERIMENT = "1903";
    private static final String LLM_SPAN = "chat gpt-4o-mini";

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @Test
    void aLateSpanIsWrittenAsOneUpdateRowWithTheWholeSpanTreeAndIsNotJudgedAgain() throws Exception {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, "otlp-late");
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, "otlp-late-sink");
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "-1");
        props.put(ServiceConfig.TOPIC_OTLP_CONFIG, "otlp_spans");
        props.put(ServiceConfig.OTLP_QUIET_PERIOD_CONFIG, "PT2S");
        ServiceConfig config = ServiceConfig.of(props);
        var topics = config.topics();
        String monitor = """
                {"experiment_id": "%s", "catalog_name": "main", "schema_name": "otlp",
                 "assessments_config": {"sample": 1.0, "assessments": [{"name": "safety"}]}}""".formatted(EXPERIMENT);

        OtelApp.Request sent;
        List<SpanData> onTime;
        List<SpanData> late;
        try (OtelApp app = new OtelApp(EXPERIMENT)) {
            sent = app.serve(0);
            onTime = app.spans().stream().filter(s -> !s.getName().equals(LLM_SPAN)).toList();
            late = app.spans().stream().filter(s -> s.getName().equals(LLM_SPAN)).toList();
        }
        assertThat(late).hasSize(1);
        String traceId = "tr-" + sent.traceId();

        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            service.start();
            producer.send(new ProducerRecord<>(topics.monitorConfig(), TestTraces.utf8(EXPERIMENT),
                    TestTraces.utf8(monitor))).get();
            assertThat(MonitorStatus.decode(TopicReader.readToEnd(broker.bootstrapServers(), topics.monitorStatus(), 1)
                    .get(0).value()).status()).isEqualTo(MonitorStatus.ACCEPTED);

            for (byte[] message : OtelApp.messages(onTime, false, 1, new Random(3))) {
                producer.send(new ProducerRecord<>(topics.otlp(), message)).get();
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> service.sink().stats().rowsCommitted() >= 1);
            producer.send(new ProducerRecord<>(topics.otlp(), OtelApp.marshal(late, false))).get();
            await().atMost(Duration.ofMinutes(1)).until(() -> service.sink().stats().rowsCommitted() >= 2);
        }

        String table = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "otlp", EXPERIMENT),
                dir.resolve("warehouse").toString());
        DeltaTableStats stats = DeltaTableStats.read(DefaultEngine.create(new Configuration()), table).orElseThrow();
        assertThat(stats.traceIds()).as("the first row and one update").containsExactly(traceId, traceId);
        int tags = TraceLogsSchema.SCHEMA.indexOf("tags");
        int spans = TraceLogsSchema.SCHEMA.indexOf("spans");
        int assessments = TraceLogsSchema.SCHEMA.indexOf("assessments");
        Map<String, List<String>> spansByUpdate = new HashMap<>();
        Map<String, Integer> assessmentsByUpdate = new HashMap<>();
        stats.forEachRow(row -> {
            String update = "none";
            MapValue map = row.getMap(tags);
            for (int i = 0; i < map.getSize(); i++) {
                if (map.getKeys().getString(i).equals("trace_monitor.late_update")) {
                    update = map.getValues().getString(i);
                }
            }
            ArrayValue spanArray = row.getArray(spans);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < spanArray.getSize(); i++) {
                names.add(spanArray.getElements().getChild(2).getString(i));
            }
            spansByUpdate.put(update, names);
            assessmentsByUpdate.put(update, row.getArray(assessments).getSize());
        });
        assertThat(spansByUpdate.get("none")).containsExactlyInAnyOrder("rag-app.answer", "retrieve");
        assertThat(spansByUpdate.get("1")).containsExactlyInAnyOrder("rag-app.answer", "retrieve", LLM_SPAN);
        assertThat(assessmentsByUpdate).containsEntry("none", 1).containsEntry("1", 0);
        assertThat(TopicReader.readToEnd(broker.bootstrapServers(), topics.feedback(), 1))
                .as("one Assessment: the update is not judged again").hasSize(1);
    }
}
