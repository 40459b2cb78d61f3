package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ChildJvm;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.topology.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under load: the service runs as a child JVM ({@link SlowJudgeServiceMain}, the same process code as
 * {@code trace-monitor run}) with slow judges; it is sent SIGTERM while judge tasks are pending and traces are still
 * being produced, must exit with status 0 (a clean stop) within its shutdown timeout, having left its consumer groups
 * (the restarted service is ready well within a session timeout), and after a restart every trace is in the Delta
 * table exactly once.
 */
class GracefulShutdownTest {

    private static final int FIRST = 400;
    private static final int SECOND = 400;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @Test
    void sigtermUnderLoadExitsZeroInTimeAndAfterRestartEveryTraceIsInTheTableOnce() throws Exception {
        Topics topics = Topics.defaults();
        Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
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
        OpsEndpoint endpoint1 = OpsEndpoint.onFreePort();
        try (ChildJvm run1 = start("run1", "PT1H", endpoint1)) {
            endpoint1.awaitStarted(Duration.ofMinutes(1), () -> !run1.isAlive(), run1::output);
            phase(t0, "run 1 started");
            OpsTestKit.publishMonitor(client, topics.monitorConfig(), topics.monitorStatus());
            OpsTestKit.produce(client, topics.traces(), first);
            // the scrape that saw the load is the one asserted on: judge tasks drain, so a later scrape may show none
            Scrape beforeStop = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(endpoint1::scrape, s -> s.sum("trace_monitor_sink_records_read_total") > 0
                            && s.sum("trace_monitor_judge_pending_tasks") > 0);
            phase(t0, "run 1 under load");
            CompletableFuture<Void> producing = CompletableFuture.runAsync(
                    () -> OpsTestKit.produce(client, topics.traces(), second));

            long signalled = System.nanoTime();
            boolean exited = run1.stop(SHUTDOWN_TIMEOUT.plusSeconds(15)); // SIGTERM
            Duration stopping = Duration.ofNanos(System.nanoTime() - signalled);
            assertThat(exited).as("exited within the timeout; output:%n%s", run1.output()).isTrue();
            assertThat(run1.exitValue()).as("0: stopped cleanly; output:%n%s", run1.output()).isZero();
            assertThat(stopping).isLessThan(SHUTDOWN_TIMEOUT.plusSeconds(10));
            producing.get(1, TimeUnit.MINUTES);
            phase(t0, "run 1 stopped");

            assertThat(beforeStop.sum("trace_monitor_judge_pending_tasks")).as("under load").isPositive();
            long afterRun1 = OpsTestKit.table(table).map(DeltaTableStats::rows).orElse(0L);
            assertThat(afterRun1).as("rows committed by the close flush").isPositive();
            System.out.printf("run 1: SIGTERM with %.0f judge tasks pending and %.0f traces in; stopped in %d ms;"
                            + " %d rows in the table%n", beforeStop.sum("trace_monitor_judge_pending_tasks"),
                    beforeStop.sum("trace_monitor_traces_in_total"), stopping.toMillis(), afterRun1);
        }

        // run 2: resumes from the state and the table, finishes everything, and stops cleanly again
        OpsEndpoint endpoint2 = OpsEndpoint.onFreePort();
        try (ChildJvm run2 = start("run2", "PT1S", endpoint2)) {
            endpoint2.awaitStarted(Duration.ofMinutes(1), () -> !run2.isAlive(), run2::output);
            phase(t0, "run 2 started");
            // run 1 left the consumer groups on its way out, so run 2 gets the partitions at once rather than after
            // run 1's session timeout (45 s)
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> endpoint2.get("/health/ready").statusCode() == 200);
            phase(t0, "run 2 ready");
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> OpsTestKit.table(table).map(DeltaTableStats::rows).orElse(0L) >= FIRST + SECOND);
            phase(t0, "run 2 wrote every trace");
            assertThat(run2.stop(SHUTDOWN_TIMEOUT.plusSeconds(15))).as(run2.output()).isTrue();
            assertThat(run2.exitValue()).as(run2.output()).isZero();
        }

        DeltaTableStats stats = OpsTestKit.table(table).orElseThrow();
        assertThat(stats.rows()).isEqualTo(FIRST + SECOND);
        assertThat(stats.traceIds()).hasSize(FIRST + SECOND).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void phase(long t0, String what) {
        System.out.printf("%6d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, what);
    }

    /** The service in a child JVM, its output in {@code <name>.log}. */
    private static ChildJvm start(String name, String flushInterval, OpsEndpoint endpoint) throws IOException {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, flushInterval);
        props.putAll(endpoint.settings());
        props.put(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, "4");
        props.put(ServiceConfig.SHUTDOWN_TIMEOUT_CONFIG, SHUTDOWN_TIMEOUT.toString());
        props.put(SlowJudgeServiceMain.JUDGE_DELAY_MS, "25");
        Path file = dir.resolve(name + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, null);
        }
        return ChildJvm.start(SlowJudgeServiceMain.class, List.of("-Xmx512m"), List.of(file.toString()), dir,
                dir.resolve(name + ".log"));
    }
}
