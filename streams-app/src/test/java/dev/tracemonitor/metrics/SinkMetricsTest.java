package dev.tracemonitor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sink.DeltaSink;
import dev.tracemonitor.sink.DeltaSinkConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.serde.FeedbackHeaders;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters of the two Delta sinks: the same set under each sink's prefix, documented, each counting its own sink. */
class SinkMetricsTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    /** The trace_logs sink's meters before its first commit (the rows counter of a table comes with its first rows). */
    private static final List<String> TRACE_LOGS_METERS = List.of(
            "trace_monitor_sink_records_read_total", "trace_monitor_sink_records_skipped_total",
            "trace_monitor_sink_records_already_committed_total", "trace_monitor_sink_files_committed_total",
            "trace_monitor_sink_committed_bytes_total", "trace_monitor_sink_versions_committed_total",
            "trace_monitor_sink_flushes_total", "trace_monitor_sink_write_failures_total",
            "trace_monitor_sink_commit_failures_total", "trace_monitor_sink_flush_last_duration_seconds",
            "trace_monitor_sink_buffer_rows", "trace_monitor_sink_running");
    private static final String ROWS_COMMITTED = "trace_monitor_sink_rows_committed_total";
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");
    private static final TableAddress TABLE = new TableAddress("main", "default", "7");

    @TempDir
    Path warehouse;

    @Test
    void eachSinkHasTheTraceLogsMetersUnderItsOwnPrefixAndTheReadmeNamesEveryOne() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<DeltaSink> sinks = List.of(sink(SinkTableKind.TRACE_LOGS, "localhost:9092", "assessed"),
                sink(SinkTableKind.TRACE_ASSESSMENTS, "localhost:9092", "feedback"));

        new SinkMetrics(sinks).bindTo(registry);

        Set<String> expected = new TreeSet<>(TRACE_LOGS_METERS);
        TRACE_LOGS_METERS.forEach(name -> expected.add(assessments(name)));
        assertThat(samples(registry.scrape()).keySet()).filteredOn(name -> name.startsWith("trace_monitor_sink_"))
                .containsExactlyInAnyOrderElementsOf(expected);
        expected.add(ROWS_COMMITTED);
        expected.add(assessments(ROWS_COMMITTED));
        String readme = Files.readString(Path.of("..", "README.md"));
        String metricsSection = readme.substring(readme.indexOf("### Metrics"), readme.indexOf("### Shutdown"));
        assertThat(expected).allSatisfy(name -> assertThat(metricsSection).contains("`" + name + "`"));
    }

    @Test
    void theAssessmentsSinkCountsItsOwnRecordsAndRowsApartFromTheTraceLogsSink() throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createTopics(List.of(new NewTopic("assessed", 1, (short) 1), new NewTopic("feedback", 1, (short) 1)))
                    .all().get();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(broker.clientProperties(),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 3; i++) {
                    ProducerRecord<byte[], byte[]> trace = new ProducerRecord<>("assessed", null,
                            TestTraces.chat("t-" + i, TABLE.experimentId(), "What is Kafka?", "A log."));
                    TABLE.writeTo(trace.headers());
                    producer.send(trace).get();
                }
                for (int i = 0; i < 5; i++) {
                    Assessment assessment = new Assessment("a-" + i, "safety", "t-" + i, null, null,
                            1_750_000_000_000L, 1_750_000_000_000L, null, null, Map.of());
                    ProducerRecord<byte[], byte[]> feedback = new ProducerRecord<>("feedback", null,
                            TraceJsonCodec.encodeAssessment(assessment));
                    TABLE.writeTo(feedback.headers());
                    FeedbackHeaders.writeLate(feedback.headers(), false);
                    producer.send(feedback).get();
                }
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            DeltaSink traces = sink(SinkTableKind.TRACE_LOGS, broker.bootstrapServers(), "assessed");
            DeltaSink assessments = sink(SinkTableKind.TRACE_ASSESSMENTS, broker.bootstrapServers(), "feedback");
            SinkMetrics metrics = new SinkMetrics(List.of(traces, assessments));
            metrics.bindTo(registry);
            try (traces; assessments) {
                traces.start();
                assessments.start();
                Map<String, Double> s = await().atMost(Duration.ofSeconds(60))
                        .failFast(() -> traces.failure().isPresent() || assessments.failure().isPresent())
                        .until(() -> {
                            metrics.refresh();
                            return samples(registry.scrape());
                        }, sample -> sample.getOrDefault(ROWS_COMMITTED + "{table=\"main.default.trace_logs_7\"}", 0.0) == 3
                                && sample.getOrDefault(assessments(ROWS_COMMITTED)
                                        + "{table=\"main.default.trace_assessments_7\"}", 0.0) == 5);

                assertThat(s).containsEntry("trace_monitor_sink_records_read_total", 3.0)
                        .containsEntry(assessments("trace_monitor_sink_records_read_total"), 5.0)
                        .containsEntry("trace_monitor_sink_running", 1.0)
                        .containsEntry(assessments("trace_monitor_sink_running"), 1.0)
                        .containsEntry(assessments("trace_monitor_sink_records_skipped_total"), 0.0);
                assertThat(s.keySet()).as("no rows of the other kind under either prefix")
                        .noneMatch(name -> name.startsWith(ROWS_COMMITTED) && name.contains("trace_assessments_"))
                        .noneMatch(name -> name.startsWith(assessments(ROWS_COMMITTED)) && name.contains("trace_logs_"));
            }
        }
    }

    private DeltaSink sink(SinkTableKind kind, String bootstrapServers, String topic) {
        return new DeltaSink(DeltaSinkConfig.builder(bootstrapServers, warehouse.toString())
                .groupId("metrics-" + topic).topic(topic).kind(kind).flushInterval(Duration.ofSeconds(1))
                .alignToClock(false).build());
    }

    private static String assessments(String traceLogsMeter) {
        return traceLogsMeter.replace("trace_monitor_sink_", "trace_monitor_sink_assessments_");
    }

    /** Prometheus samples by name and labels ({@code name{labels}}, or the bare name when it has none). */
    private static Map<String, Double> samples(String scrape) {
        return scrape.lines().filter(line -> !line.startsWith("#")).map(SAMPLE::matcher).filter(Matcher::find)
                .collect(Collectors.toMap(m -> m.group(1) + (m.group(2) == null ? "" : m.group(2)),
                        m -> Double.parseDouble(m.group(3)), Double::sum));
    }
}
