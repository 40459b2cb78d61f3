package dev.tracemonitor.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.AlertRule;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import dev.tracemonitor.testing.WebhookReceiver;
import dev.tracemonitor.topology.Topics;
import dev.tracemonitor.web.AssessmentView;
import dev.tracemonitor.web.MonitorTables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
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
 * Alerts in a running service on a real broker: the monitor config's rule is evaluated per window against the
 * trace_assessments table the sink wrote, each window below the threshold is posted once with the figures the table
 * gives (to a receiver that fails twice), a monitor with fewer Assessments than {@code min_count} posts nothing, and an
 * alert whose receiver is down stays on the alerts topic and is delivered by the next service once the receiver is up.
 * The two tests share the broker: each looks only at its own monitors' alerts, since a service reads every monitor
 * config and trace on the topics.
 */
class AlertsEndToEndTest {

    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final double MIN_PASS_RATE = 0.8;
    private static final int MIN_COUNT = 5;

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    Path dir;

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @Test
    void eachWindowBelowTheThresholdIsPostedOnceWithTheTablesFiguresAndTooFewAssessmentsPostNothing()
            throws Exception {
        Topics topics = Topics.defaults();
        try (WebhookReceiver receiver = new WebhookReceiver();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            receiver.failFirst = 2;
            TraceMonitorService service = service(topics, 1);
            service.start();
            publish(producer, topics, monitor("9", "e2e", receiver));
            publish(producer, topics, monitor("8", "few", receiver));
            // experiment 9: every other answer is judged unsafe (rate 0.5); experiment 8: 3 unsafe answers
            for (int i = 0; i < 20; i++) {
                send(producer, topics, "a-" + i, "9", i % 2 == 0 ? "BAD answer" : "A log.");
            }
            for (int i = 0; i < 3; i++) {
                send(producer, topics, "f-" + i, "8", "BAD answer");
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(90)).until(() -> service.sink().assessmentStats().rowsCommitted() >= 23);

            Map<Long, long[]> windows = windowsOf(new TableAddress("main", "e2e", "9"));
            List<String> expected = new ArrayList<>();
            windows.forEach((start, counts) -> {
                if (counts[0] >= MIN_COUNT && (double) counts[1] / counts[0] < MIN_PASS_RATE) {
                    expected.add(figures("9", start, counts[0], (double) counts[1] / counts[0]));
                }
            });
            assertThat(expected).as("20 verdicts at rate 0.5 make at least one window of %d or more", MIN_COUNT)
                    .isNotEmpty();
            long lastEnd = windows.keySet().stream().mapToLong(Long::longValue).max().orElseThrow() + WINDOW.toMillis();
            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received.size() >= expected.size());
            // once every window has been judged, a few more rounds post nothing more
            await().atMost(Duration.ofSeconds(30)).until(() -> System.currentTimeMillis() > lastEnd + 3_000);
            double rounds = service.metrics().count("alerts.rounds");
            await().atMost(Duration.ofSeconds(30)).until(() -> service.metrics().count("alerts.rounds") >= rounds + 3);
            service.close();

            assertThat(receiver.received.stream().map(AlertsEndToEndTest::figures).toList())
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(receiver.requests).as("two refused posts, then each alert once").hasValue(expected.size() + 2);
            JsonNode first = receiver.received.get(0);
            assertThat(first.path("judge").asText()).isEqualTo("safety");
            assertThat(first.path("min_pass_rate").asDouble()).isEqualTo(MIN_PASS_RATE);
            assertThat(first.path("failing_trace_ids")).isNotEmpty().allSatisfy(id ->
                    assertThat(Integer.parseInt(id.asText().substring(2)) % 2).as(id.asText()).isZero());
            assertThat(delivered("9"))
                    .hasSize(expected.size()).allSatisfy(entry -> assertThat(entry).isTrue());
        }
    }

    @Test
    void anAlertWhoseReceiverIsDownIsKeptAndDeliveredByTheNextServiceOnceTheReceiverIsUp() throws Exception {
        Topics topics = Topics.defaults();
        try (WebhookReceiver receiver = new WebhookReceiver();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            receiver.down = true;
            TraceMonitorService first = service(topics, 1);
            first.start();
            publish(producer, topics, monitor("7", "down", receiver));
            for (int i = 0; i < 10; i++) {
                send(producer, topics, "d-" + i, "7", "BAD answer");
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    first.metrics().count("alerts", "experiment_id", "7", "outcome", "failed") >= 1);
            first.close();
            List<Boolean> pending = delivered("7");
            assertThat(pending).as("recorded before its first post, not delivered").isNotEmpty().doesNotContain(true);
            assertThat(receiver.received).isEmpty();

            receiver.down = false;
            TraceMonitorService second = service(topics, 2);
            second.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received.size() >= pending.size());
            double rounds = second.metrics().count("alerts.rounds");
            await().atMost(Duration.ofSeconds(30)).until(() -> second.metrics().count("alerts.rounds") >= rounds + 3);
            second.close();

            assertThat(receiver.received).hasSize(pending.size()).allSatisfy(alert -> {
                assertThat(alert.path("monitor").asText()).isEqualTo("7");
                assertThat(alert.path("rate").asDouble()).isZero();
            });
            assertThat(delivered("7")).hasSize(pending.size()).doesNotContain(false);
        }
    }

    private TraceMonitorService service(Topics topics, int run) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state-" + run).toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        props.put(ServiceConfig.ALERTS_INTERVAL_CONFIG, "PT0.5S");
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, "alerts-" + dir.getFileName());
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, "alerts-sink-" + dir.getFileName());
        return new TraceMonitorService(ServiceConfig.of(props), new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
    }

    private static MonitorConfig monitor(String experimentId, String schema, WebhookReceiver receiver) {
        return new MonitorConfig(experimentId, "main", schema, new MonitorConfig.AssessmentsConfig(1.0,
                List.of(MonitorConfig.JudgeConfig.builtin("safety", null))), null,
                List.of(new AlertRule("safety", MIN_PASS_RATE, WINDOW.toString(), MIN_COUNT, receiver.url())));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void publish(KafkaProducer<byte[], byte[]> producer, Topics topics, MonitorConfig monitor) throws Exception {
        int before = TopicReader.readToEnd(broker.bootstrapServers(), topics.monitorStatus(), 0).size();
        producer.send(new ProducerRecord<>(topics.monitorConfig(), TestTraces.utf8(monitor.experimentId()),
                MonitorConfigCodec.encode(monitor))).get();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                TopicReader.readToEnd(broker.bootstrapServers(), topics.monitorStatus(), 0).size() > before);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topics topics, String traceId, String experiment,
                             String answer) {
        producer.send(new ProducerRecord<>(topics.traces(), TestTraces.utf8(traceId),
                TestTraces.chat(traceId, experiment, "What is Kafka?", answer)));
    }

    /** Per window start, the safety verdicts in the table and how many passed. */
    private Map<Long, long[]> windowsOf(TableAddress table) {
        long now = System.currentTimeMillis();
        List<AssessmentView> rows = new MonitorTables(dir.resolve("warehouse").toString(), new Configuration())
                .assessments(table, now - Duration.ofHours(1).toMillis(), now + 1);
        Map<Long, long[]> windows = new TreeMap<>();
        rows.stream().filter(a -> a.judge().equals("safety") && a.isVerdict()).forEach(a -> {
            long[] counts = windows.computeIfAbsent(Math.floorDiv(a.createTimeMillis(), WINDOW.toMillis())
                    * WINDOW.toMillis(), start -> new long[2]);
            counts[0]++;
            counts[1] += a.passed() ? 1 : 0;
        });
        return windows;
    }

    private static String figures(String monitor, long windowStart, long count, double rate) {
        return monitor + " " + Instant.ofEpochMilli(windowStart) + "/" + Instant.ofEpochMilli(windowStart
                + WINDOW.toMillis()) + " count=" + count + " rate=" + rate;
    }

    private static String figures(JsonNode alert) {
        return figures(alert.path("monitor").asText(), Instant.parse(alert.path("window").path("start").asText())
                .toEpochMilli(), alert.path("count").asLong(), alert.path("rate").asDouble());
    }

    /** Whether each alert of the monitor recorded on the alerts topic (its latest record) was delivered. */
    private List<Boolean> delivered(String experimentId) throws Exception {
        Map<String, Boolean> latest = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readToEnd(broker.bootstrapServers(),
                ServiceConfig.DEFAULT_ALERTS_TOPIC, 0)) {
            String id = new String(record.key(), StandardCharsets.UTF_8);
            if (id.startsWith(experimentId + "/")) {
                latest.put(id, Json.MAPPER.readTree(record.value()).path("delivered").asBoolean());
            }
        }
        return List.copyOf(latest.values());
    }
}
