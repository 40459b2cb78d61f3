package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.ServiceProcess;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as {@code trace-monitor run} runs it ({@link ServiceProcess}) on a real broker: after a known workload,
 * {@code /metrics} shows every meter the operations guide lists with the values the workload implies, and the health
 * endpoints answer.
 */
class MetricsEndpointTest {

    private static final int TRACES = 120;
    private static final int MALFORMED = 5;
    private static final Pattern ENDPOINT = Pattern.compile("http endpoint on 127\\.0\\.0\\.1:(\\d+)");

    private static KafkaClusterTestKit cluster;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = OpsTestKit.startBroker(SecurityProtocol.PLAINTEXT);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        cluster.close();
    }

    @Test
    void metricsEndpointShowsEveryMeterWithTheValuesOfAKnownWorkloadAndHealthIsUp() throws Exception {
        Topics topics = Topics.defaults();
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "0");
        props.put(ServiceConfig.HTTP_ADDRESS_CONFIG, "127.0.0.1");
        ServiceConfig config = ServiceConfig.of(props);
        Map<String, Object> client = Map.of("bootstrap.servers", cluster.bootstrapServers());

        StringWriter output = new StringWriter();
        PrintWriter out = new PrintWriter(output, true);
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> ServiceProcess.run(config, new ScriptedJudgeBackend(), out, stop));
        try {
            await().atMost(Duration.ofMinutes(1)).until(() -> output.toString().contains("trace-monitor running"));
            Matcher m = ENDPOINT.matcher(output.toString());
            assertThat(m.find()).as(output.toString()).isTrue();
            String base = "http://127.0.0.1:" + m.group(1);

            // a first version, then the one in force: the config version gauge must follow
            OpsTestKit.publishMonitor(client, topics.monitorConfig(), topics.monitorStatus(),
                    OpsTestKit.MONITOR.replace("{\"name\": \"groundedness\"}, ", ""), 1);
            long configVersion = OpsTestKit.publishMonitor(client, topics.monitorConfig(), topics.monitorStatus(),
                    OpsTestKit.MONITOR, 2);
            assertThat(configVersion).isPositive();
            List<DemoRecord> records = new DemoTraces(11, "42", 1_750_000_000_000L).generate(TRACES, MALFORMED);
            OpsTestKit.produce(client, topics.traces(), records);

            String table = "main.ops.trace_logs_42";
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Scrape s = Scrape.of(base);
                return s.sum("trace_monitor_sink_rows_committed_total", "table", table) == TRACES
                        && s.sum("trace_monitor_judge_pending_tasks") == 0
                        && s.sum("trace_monitor_sink_buffer_rows") == 0;
            });
            // the Kafka client meters are bound from the clients' own metrics and refreshed every 10 s
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Scrape s = Scrape.of(base);
                return s.has("kafka_stream_thread_process_total")
                        && sinkConsumerRecordsConsumed(s) >= TRACES;
            });
            Scrape s = Scrape.of(base);

            List<String> wellFormed = records.stream().filter(DemoRecord::wellFormed).map(DemoRecord::key).toList();
            long safety = wellFormed.stream().filter(id -> Sampler.u(id) < 0.5).count();
            long chunks = wellFormed.stream().filter(id -> Sampler.u(id) < 0.2).count();

            // traces in, dead-lettered, assessed
            assertThat(s.sum("trace_monitor_traces_in_total")).isEqualTo(TRACES + MALFORMED);
            assertThat(s.sum("trace_monitor_traces_dlq_total")).isEqualTo(MALFORMED);
            assertThat(s.sum("trace_monitor_traces_not_monitored_total")).isZero();
            assertThat(s.sum("trace_monitor_traces_assessed_total")).isEqualTo(TRACES);
            assertThat(s.sum("trace_monitor_traces_assessed_total", "sampled", "true")).isEqualTo(safety);

            // sampling and judges
            assertThat(s.sum("trace_monitor_judge_sampled_total", "judge", "safety")).isEqualTo(safety);
            assertThat(s.sum("trace_monitor_judge_sampled_total", "judge", "groundedness")).isEqualTo(safety);
            assertThat(s.sum("trace_monitor_judge_sampled_total", "judge", "chunk_relevance")).isEqualTo(chunks);
            double calls = s.sum("trace_monitor_judge_calls_total", "result", "ok");
            assertThat(calls).isEqualTo(2 * safety + chunks);
            assertThat(s.sum("trace_monitor_judge_outcomes_total", "judge", "safety", "outcome", "yes")).isPositive();
            assertThat(s.sum("trace_monitor_judge_outcomes_total", "judge", "groundedness", "outcome", "not_applicable"))
                    .isPositive();
            assertThat(s.sum("trace_monitor_judge_latency_seconds_count", "judge", "safety")).isEqualTo(safety);
            assertThat(s.sum("trace_monitor_judge_latency_seconds_count")).isEqualTo(calls);
            assertThat(s.all("trace_monitor_judge_latency_seconds_bucket")).hasSizeGreaterThan(10);
            assertThat(s.sum("trace_monitor_judge_latency_seconds_bucket", "judge", "safety", "le", "+Inf"))
                    .isEqualTo(safety);
            assertThat(s.sum("trace_monitor_judge_in_flight")).isZero();
            assertThat(s.sum("trace_monitor_judge_pending_tasks")).isZero();

            // feedback
            int feedback = OpsTestKit.readAll(client, topics.feedback(), 1, Duration.ofSeconds(30)).size();
            assertThat(s.sum("trace_monitor_feedback_out_total")).isEqualTo(feedback).isPositive();
            assertThat(s.sum("trace_monitor_feedback_late_total")).isZero();

            // config version in force per monitor
            assertThat(s.sum("trace_monitor_monitor_config_version", "experiment_id", "42")).isEqualTo(configVersion);

            // the Delta sink
            assertThat(s.sum("trace_monitor_sink_records_read_total")).isEqualTo(TRACES);
            assertThat(s.sum("trace_monitor_sink_rows_committed_total")).isEqualTo(TRACES);
            assertThat(s.sum("trace_monitor_sink_files_committed_total")).isPositive();
            assertThat(s.sum("trace_monitor_sink_committed_bytes_total")).isGreaterThan(TRACES * 100);
            assertThat(s.sum("trace_monitor_sink_versions_committed_total")).isPositive();
            assertThat(s.sum("trace_monitor_sink_flushes_total")).isPositive();
            assertThat(s.sum("trace_monitor_sink_flush_last_duration_seconds")).isGreaterThanOrEqualTo(0);
            assertThat(s.has("trace_monitor_sink_flush_last_duration_seconds")).isTrue();
            assertThat(s.sum("trace_monitor_sink_buffer_rows")).isZero();
            assertThat(s.sum("trace_monitor_sink_records_skipped_total")).isZero();
            assertThat(s.sum("trace_monitor_sink_write_failures_total")).isZero();
            assertThat(s.sum("trace_monitor_sink_commit_failures_total")).isZero();
            assertThat(s.sum("trace_monitor_sink_running")).isEqualTo(1);

            // Kafka Streams' and the sink consumer's own metrics, and the JVM's
            assertThat(s.sum("kafka_stream_thread_process_total")).isGreaterThanOrEqualTo(TRACES + MALFORMED);
            assertThat(sinkConsumerRecordsConsumed(s)).isGreaterThanOrEqualTo(TRACES);
            assertThat(s.has("jvm_memory_used_bytes")).isTrue();

            // health
            HttpResponse<String> live = Scrape.get(base + "/health/live");
            HttpResponse<String> ready = Scrape.get(base + "/health/ready");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"streams\":\"RUNNING\"").contains("\"sink\":\"running\"");
            assertThat(Scrape.get(base + "/nothing-here").statusCode()).isEqualTo(404);

            stop.countDown();
            assertThat(exit.get(1, TimeUnit.MINUTES)).as(output.toString()).isZero();
            assertThat(output.toString()).contains("stopped cleanly");
            assertThatThrownBy(() -> Scrape.get(base + "/health/live")).isInstanceOf(IOException.class);
        } finally {
            stop.countDown();
            exit.get(1, TimeUnit.MINUTES);
        }
    }

    /** records-consumed-total of the sink's consumer (client id consumer-<sink group>-N), not of Streams' consumers. */
    /**
     * The records the sink consumers consumed. Micrometer keeps either the client-level or the per-topic meter of a
     * Kafka metric (whichever its walk over the registry meets first), and each sink consumer reads one topic: so each
     * client counts once, with whichever variant it has.
     */
    private static double sinkConsumerRecordsConsumed(Scrape s) {
        Map<String, Double> byClient = new HashMap<>();
        s.all("kafka_consumer_fetch_manager_records_consumed_total").stream()
                .filter(x -> x.labels().getOrDefault("client_id", "").contains("trace-monitor-delta-sink"))
                .forEach(x -> byClient.merge(x.labels().get("client_id"), x.value(), Math::max));
        return byClient.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
