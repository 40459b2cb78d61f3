package dev.tracemonitor.chaos;

import dev.tracemonitor.delta.DeltaStorage;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.testing.ChildJvm;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import java.nio.file.Path;
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
