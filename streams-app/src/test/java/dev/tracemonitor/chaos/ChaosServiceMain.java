package dev.tracemonitor.chaos;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The service as a child process for {@link ServiceChaosTest}: the whole {@link TraceMonitorService} (topology and
 * Delta sinks) with the {@link ScriptedJudgeBackend}, until it is killed. Prints {@value #READY} once started; the
 * sink's "Flush (…) starting" log lines (logback-test.xml sends them to stdout) are what the test kills on.
 *
 * <p>Arguments: {@code key=value} settings of {@link ServiceConfig} and the Kafka clients.
 */
public final class ChaosServiceMain {

    public static final String READY = "CHAOS-CHILD READY";

    private ChaosServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            props.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        TraceMonitorService service = new TraceMonitorService(ServiceConfig.of(props), new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "chaos-child-shutdown"));
        service.start();
        System.out.println(READY + " pid=" + ProcessHandle.current().pid());
        stopped.await();
    }
}
