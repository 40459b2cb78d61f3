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
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TopicReader;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as {@code trace-monitor run} runs it ({@link ServiceProcess}) on a real broker: after a known workload,
 * {@code /metrics} shows every meter the operations guide lists with the values the workload implies, and the health
 * endpoints answer.
 */
class MetricsEndpointTest {

    private static final int TRACES = 120;
    private static final int MALFORMED = 5;

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @Test
    void metricsEndpointShowsEveryMeterWithTheValuesOfAKnownWorkloadAndHealthIsUp() throws Exception {
        Topics topics = Topics.defaults();
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        OpsEndpoint endpoint = OpsEndpoint.onFreePort();
        props.putAll(endpoint.settings());
        ServiceConfig config = ServiceConfig.of(props);
        Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());

        StringWriter output = new StringWriter();
        PrintWriter out = new PrintWriter(output, true);
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> ServiceProcess.run(config, new ScriptedJudgeBackend(), out, stop));
        try {
            endpoint.awaitStarted(Duration.ofMinutes(1), exit::isDone, () -> "its output:\n" + output);

            // a first version, then the one in force: the config version gauge must follow
            OpsTestKit.publishMonitor(client, topics.monitorConfig(), topics.monitorStatus(),
                    OpsTestKit.MONITOR.replace("{\"name\": \"groundedness\"}, ", ""), 1);
            long configVersion = OpsTestKit.publishMonitor(client, topics.monitorConfig(), topics.monitorStatus(),
                    OpsTestKit.MONITOR, 2);
            assertThat(configVersion).isPositive();
            List<DemoRecord> records = new DemoTraces(11, "42", 1_750_000_000_000L).generate(TRACES, MALFORMED);
            OpsTestKit.produce(client, topics.traces(), records);

            String table = "main.ops.trace_logs_42";
            // every assertion below is on this one scrape, the first that shows the workload done (the Kafka client
            // meters are bound from the clients' own metrics and refreshed every 10 s)
            Scrape s = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(endpoint::scrape,
                    scrape -> scrape.sum("trace_monitor_sink_rows_committed_total", "table", table) == TRACES
                            && scrape.sum("trace_monitor_judge_pending_tasks") == 0
                            && scrape.sum("trace_monitor_sink_buffer_rows") == 0
                            && scrape.sum("kafka_stream_thread_process_total") >= TRACES + MALFORMED
                            && sinkConsumerRecordsConsumed(scrape) >= TRACES);

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
            assertThat(s.sum("trace_monitor_judge_outcomes_total", "experiment_id", "42", "judge", "safety", "outcome",
                    "yes")).isPositive().isEqualTo(s.sum("trace_monitor_judge_outcomes_total", "judge", "safety",
                    "outcome", "yes"));
            assertThat(s.sum("trace_monitor_judge_sampled_total", "experiment_id", "42", "judge", "safety"))
                    .isEqualTo(safety);
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
            int feedback = TopicReader.readToEnd(client, topics.feedback(), 1).size();
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

            // the Grafana dashboard charts only what the service exports
            assertThat(DashboardQueries.metricNames(Path.of("../deploy/grafana/trace-monitor.json")))
                    .isNotEmpty().allSatisfy(name -> assertThat(s.has(name)).as("%s in /metrics", name).isTrue());

            // health
            HttpResponse<String> live = endpoint.get("/health/live");
            HttpResponse<String> ready = endpoint.get("/health/ready");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"streams\":\"RUNNING\"").contains("\"sink\":\"running\"");
            assertThat(endpoint.get("/nothing-here").statusCode()).isEqualTo(404);

            stop.countDown();
            assertThat(exit.get(1, TimeUnit.MINUTES)).as("0: stopped cleanly; output:%n%s", output).isZero();
            assertThatThrownBy(() -> endpoint.get("/health/live")).isInstanceOf(IOException.class);
        } finally {
            stop.countDown();
            exit.get(1, TimeUnit.MINUTES);
        }
    }

    /**
     * records-consumed-total of the trace_logs sink's consumer (client id consumer-<sink group>-N), not of Streams' or
     * the assessments sink's consumers. Micrometer keeps one label set per meter name: once a per-topic series of the
     * meter exists, it removes the series without a topic label, so the count is read from whichever form is there.
     */
    private static double sinkConsumerRecordsConsumed(Scrape s) {
        List<Scrape.Sample> sink = s.all("kafka_consumer_fetch_manager_records_consumed_total").stream()
                .filter(x -> x.labels().getOrDefault("client_id", "").contains("trace-monitor-delta-sink"))
                .filter(x -> !x.labels().getOrDefault("client_id", "").contains("assessments"))
                .toList();
        double total = sink.stream().filter(x -> !x.labels().containsKey("topic"))
                .mapToDouble(Scrape.Sample::value).sum();
        double assessed = sink.stream().filter(x -> "traces-assessed".equals(x.labels().get("topic")))
                .mapToDouble(Scrape.Sample::value).sum();
        return Math.max(total, assessed);
    }
}
