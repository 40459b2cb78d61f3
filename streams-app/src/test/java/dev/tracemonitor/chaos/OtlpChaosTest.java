package dev.tracemonitor.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ChildJvm;
import dev.tracemonitor.testing.ConsumedOffsets;
import dev.tracemonitor.testing.OtelApp;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, done-when 3: the service (a child JVM, {@link ChaosServiceMain}) is killed with SIGKILL while it holds
 * OTLP spans, twice: once with every trace's children read and only half of the roots (the other half's traces are
 * held waiting for their root), once right after the remaining roots were read (those traces are in their quiet
 * period). After each restart the held spans come back from the changelogged stores, and in the end every trace is
 * emitted exactly once, whole: one record on {@code traces-assessed} (read_committed) and one Delta row per trace.
 */
class OtlpChaosTest {

    private static final int TRACES = 40;
    private static final String EXPERIMENT = "8";
    private static final String APP = "otlp-chaos";
    private static final String MONITOR = """
            {"experiment_id": "8", "catalog_name": "main", "schema_name": "otlpchaos",
             "assessments_config": {"sample": 1.0, "assessments": [{"name": "safety"}]}}""";

    @RegisterExtension
    static final TestBroker broker = TestBroker.forKilledChildren();

    @TempDir
    static Path dir;

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @Test
    void serviceKilledWhileHoldingSpansEmitsEveryTraceExactlyOnceAfterRestart() throws Exception {
        String warehouse = dir.resolve("warehouse").toString();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        settings.put(ServiceConfig.APPLICATION_ID_CONFIG, APP);
        settings.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(ServiceConfig.WAREHOUSE_CONFIG, warehouse);
        settings.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        settings.put(ServiceConfig.HTTP_PORT_CONFIG, "-1");
        settings.put(ServiceConfig.TOPIC_OTLP_CONFIG, "otlp_spans");
        settings.put(ServiceConfig.OTLP_QUIET_PERIOD_CONFIG, "PT3S");
        settings.put("session.timeout.ms", "4000");
        settings.put("heartbeat.interval.ms", "500");
        Path childLog = Path.of("target", "otlp-chaos-child.log").toAbsolutePath();
        Files.deleteIfExists(childLog);
        SinkProbe probe = new SinkProbe(dir.resolve("probe"));

        Set<String> traceIds = new HashSet<>();
        List<SpanData> withoutLateRoots = new ArrayList<>();
        List<SpanData> lateRoots = new ArrayList<>();
        try (OtelApp app = new OtelApp(EXPERIMENT)) {
            Set<String> lateRootIds = new HashSet<>();
            for (int i = 0; i < TRACES; i++) {
                OtelApp.Request request = app.serve(i);
                traceIds.add("tr-" + request.traceId());
                if (i % 2 == 0) {
                    lateRootIds.add(request.rootSpanId());
                }
            }
            app.spans().forEach(s -> (lateRootIds.contains(s.getSpanId()) ? lateRoots : withoutLateRoots).add(s));
        }
        Random random = new Random(8);

        ChildJvm child = startChild(probe, settings, childLog);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>("monitor-config",
                    TestTraces.utf8(EXPERIMENT), TestTraces.utf8(MONITOR))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> readCommitted("monitor-status").stream()
                    .anyMatch(r -> MonitorStatus.ACCEPTED.equals(MonitorStatus.decode(r.value()).status())));

            send(producer, OtelApp.messages(withoutLateRoots, false, 4, random), random);
            ConsumedOffsets.awaitCommitted(broker.clientProperties(), APP, "otlp_spans", "traces-otlp-spans");
            assertThat(child.kill()).as("SIGKILL while half the traces wait for their root").isEqualTo(ChildJvm.SIGKILLED);
            child = startChild(probe, settings, childLog);

            send(producer, OtelApp.messages(lateRoots, false, 4, random), random);
            ConsumedOffsets.awaitCommitted(broker.clientProperties(), APP, "otlp_spans", "traces-otlp-spans");
            assertThat(child.kill()).as("SIGKILL in the quiet period of the late roots' traces")
                    .isEqualTo(ChildJvm.SIGKILLED);
            child = startChild(probe, settings, childLog);

            String traceLogs = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "otlpchaos", EXPERIMENT),
                    warehouse);
            ChildJvm last = child;
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .failFast("the child died", () -> !last.isAlive())
                    .until(() -> DeltaRows.rows(traceLogs) >= TRACES);
            assertThat(child.stop(Duration.ofMinutes(1))).as("exited after SIGTERM").isTrue();

            List<String> rows = DeltaRows.traceIds(traceLogs);
            assertThat(rows).as("trace_logs rows").hasSize(TRACES);
            assertThat(new HashSet<>(rows)).isEqualTo(traceIds);

            Map<String, Integer> emitted = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : readCommitted("traces-assessed")) {
                Trace trace = TraceJsonCodec.decode(r.value());
                emitted.merge(trace.traceId(), 1, Integer::sum);
                assertThat(trace.spans()).as("spans of %s", trace.traceId()).hasSize(3);
            }
            assertThat(emitted.keySet()).isEqualTo(traceIds);
            assertThat(emitted.values()).as("records per trace on traces-assessed").containsOnly(1);
            assertThat(readCommitted("traces-dlq")).as("dead letters").isEmpty();
        } finally {
            child.close();
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, List<byte[]> messages, Random random)
            throws Exception {
        for (byte[] message : messages) {
            producer.send(new ProducerRecord<>("otlp_spans", random.nextInt(3), null, message));
        }
        producer.flush();
    }

    private static ChildJvm startChild(SinkProbe probe, Map<String, String> settings, Path log) throws Exception {
        return ChaosServiceMain.start(dir, probe, settings, log);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return ExactlyOnceChecks.readCommitted(broker.bootstrapServers(), topic);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
