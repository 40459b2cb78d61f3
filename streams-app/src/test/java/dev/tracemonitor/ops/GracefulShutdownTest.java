package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.topology.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * SIGTERM under load: the service runs as a child JVM ({@link ChildService}, the same process code as
 * {@code trace-monitor run}) with slow judges; it is sent SIGTERM while judge tasks are pending and traces are still
 * being produced, must exit with status 0 within its shutdown timeout, having left its consumer groups (the restarted
 * service is ready well within a session timeout), and after a restart every trace is in the Delta table exactly
 * once.
 */
class GracefulShutdownTest {

    private static final int FIRST = 400;
    private static final int SECOND = 400;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
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
    void sigtermUnderLoadExitsZeroInTimeAndAfterRestartEveryTraceIsInTheTableOnce() throws Exception {
        Topics topics = Topics.defaults();
        Map<String, Object> client = Map.of("bootstrap.servers", cluster.bootstrapServers());
        String table = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "ops", "42"),
                dir.resolve("warehouse").toString());
        DemoTraces demo = new DemoTraces(23, "42", 1_750_000_000_000L);
        List<DemoRecord> first = demo.generate(FIRST, 0);
        List<DemoRecord> second = demo.generate(SECOND, 0);
        Set<String> expected = new HashSet<>();
        first.forEach(r -> expected.add(r.key()));
        second.forEach(r -> expected.add(r.key()));
        assertThat(expected).hasSize(FIRST + SECOND);

        long t0 = System.nanoTime();
        // run 1: no scheduled flush within the test (PT1H), so every row in the table after it is from the close flush
        Child run1 = Child.start(dir, "run1", "PT1H");
        try {
            run1.awaitRunning();
            phase(t0, "run 1 running");
            OpsTestKit.publishMonitor(client, topics.monitorConfig(), topics.monitorStatus());
            OpsTestKit.produce(client, topics.traces(), first);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Scrape s = Scrape.of(run1.baseUrl());
                return s.sum("trace_monitor_sink_records_read_total") > 0
                        && s.sum("trace_monitor_judge_pending_tasks") > 0;
            });
            Scrape beforeStop = Scrape.of(run1.baseUrl());
            phase(t0, "run 1 under load");
            CompletableFuture<Void> producing = CompletableFuture.runAsync(
                    () -> OpsTestKit.produce(client, topics.traces(), second));

            long signalled = System.nanoTime();
            run1.process.destroy(); // SIGTERM
            boolean exited = run1.process.waitFor(SHUTDOWN_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS);
            Duration stopping = Duration.ofNanos(System.nanoTime() - signalled);
            assertThat(exited).as("exited within the timeout; log:%n%s", run1.log()).isTrue();
            assertThat(run1.process.exitValue()).as(run1.log()).isZero();
            assertThat(run1.log()).contains("stopped cleanly");
            assertThat(stopping).isLessThan(SHUTDOWN_TIMEOUT.plusSeconds(10));
            producing.get(1, TimeUnit.MINUTES);
            phase(t0, "run 1 stopped");

            assertThat(beforeStop.sum("trace_monitor_judge_pending_tasks")).as("under load").isPositive();
            long afterRun1 = OpsTestKit.table(table).map(DeltaTableStats::rows).orElse(0L);
            assertThat(afterRun1).as("rows committed by the close flush").isPositive();
            System.out.printf("run 1: SIGTERM with %.0f judge tasks pending and %.0f traces in; stopped in %d ms;"
                            + " %d rows in the table%n", beforeStop.sum("trace_monitor_judge_pending_tasks"),
                    beforeStop.sum("trace_monitor_traces_in_total"), stopping.toMillis(), afterRun1);
        } finally {
            run1.process.destroyForcibly();
        }

        // run 2: resumes from the state and the table, finishes everything, and stops cleanly again
        Child run2 = Child.start(dir, "run2", "PT1S");
        try {
            run2.awaitRunning();
            phase(t0, "run 2 running");
            // run 1 left the consumer groups on its way out, so run 2 gets the partitions at once rather than after
            // run 1's session timeout (45 s)
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Scrape.get(run2.baseUrl() + "/health/ready").statusCode() == 200);
            phase(t0, "run 2 ready");
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> OpsTestKit.table(table).map(DeltaTableStats::rows).orElse(0L) >= FIRST + SECOND);
            phase(t0, "run 2 wrote every trace");
            run2.process.destroy();
            assertThat(run2.process.waitFor(SHUTDOWN_TIMEOUT.toSeconds() + 15, TimeUnit.SECONDS)).as(run2.log()).isTrue();
            assertThat(run2.process.exitValue()).as(run2.log()).isZero();
        } finally {
            run2.process.destroyForcibly();
        }

        DeltaTableStats stats = OpsTestKit.table(table).orElseThrow();
        assertThat(stats.rows()).isEqualTo(FIRST + SECOND);
        assertThat(stats.traceIds()).hasSize(FIRST + SECOND).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void phase(long t0, String what) {
        System.out.printf("%6d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, what);
    }

    /** The service in a child JVM, its output in a file. */
    private record Child(Process process, Path logFile) {

        static Child start(Path dir, String name, String flushInterval) throws IOException {
            Properties props = new Properties();
            props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
            props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, flushInterval);
            props.put(ServiceConfig.HTTP_PORT_CONFIG, "0");
            props.put(ServiceConfig.HTTP_ADDRESS_CONFIG, "127.0.0.1");
            props.put(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, "4");
            props.put(ServiceConfig.SHUTDOWN_TIMEOUT_CONFIG, SHUTDOWN_TIMEOUT.toString());
            props.put("judge.delay.ms", "25");
            Path file = dir.resolve(name + ".properties");
            try (OutputStream out = Files.newOutputStream(file)) {
                props.store(out, null);
            }
            Path log = dir.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), ChildService.class.getName(), file.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new Child(process, log);
        }

        void awaitRunning() {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .failFast("the child exited; log:\n" + log(), () -> !process.isAlive())
                    .until(() -> log().contains("trace-monitor running"));
        }

        String baseUrl() {
            Matcher m = ENDPOINT.matcher(log());
            if (!m.find()) {
                throw new IllegalStateException("no http endpoint line in the log");
            }
            return "http://127.0.0.1:" + m.group(1);
        }

        String log() {
            try {
                return Files.readString(logFile);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
