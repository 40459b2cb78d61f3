package dev.tracemonitor.chaos;

import static org.awaitility.Awaitility.await;

import dev.tracemonitor.delta.DeltaStorage;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.testing.ChildJvm;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The child {@code main} of {@link ServiceChaosTest} (started with {@link ChildJvm}): the whole
 * {@link TraceMonitorService} (topology and Delta sinks) with the {@link ScriptedJudgeBackend}, until it is killed,
 * its sinks committing through the {@link HoldingLogStore}. Records {@link SinkProbe.Kind#STARTED} once the service
 * has started.
 *
 * <p>Arguments: the probe directory, then {@code key=value} settings of {@link ServiceConfig} and the Kafka clients.
 */
public final class ChaosServiceMain {

    private ChaosServiceMain() {
    }

    /**
     * Starts this {@code main} in a child JVM working in {@code dir}, with {@code settings}, its output appended to
     * {@code log}, and waits until the service in it has started.
     */
    static ChildJvm start(Path dir, SinkProbe probe, Map<String, String> settings, Path log) throws Exception {
        List<String> args = new ArrayList<>();
        args.add(probe.dir().toString());
        settings.forEach((k, v) -> args.add(k + "=" + v));
        ChildJvm child = ChildJvm.start(ChaosServiceMain.class,
                List.of("-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), args, dir, log);
        try {
            await().atMost(Duration.ofSeconds(90)).failFast("the child died; see " + log, () -> !child.isAlive())
                    .until(() -> probe.first(child.pid(), SinkProbe.Kind.STARTED).isPresent());
        } catch (RuntimeException | Error e) {
            child.close();
            throw e;
        }
        return child;
    }

    public static void main(String[] args) throws Exception {
        Path probeDir = Path.of(args[0]).toAbsolutePath();
        Properties props = new Properties();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Map.of(DeltaStorage.FILE_LOG_STORE_KEY, HoldingLogStore.class.getName(),
                        HoldingLogStore.PROBE_DIR, probeDir.toString())
                .forEach((key, value) -> props.put(ServiceConfig.HADOOP_PREFIX + key, value));
        TraceMonitorService service = new TraceMonitorService(ServiceConfig.of(props), new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "chaos-child-shutdown"));
        service.start();
        new SinkProbe(probeDir).record(SinkProbe.Kind.STARTED, "", -1, Map.of());
        stopped.await();
    }
}
