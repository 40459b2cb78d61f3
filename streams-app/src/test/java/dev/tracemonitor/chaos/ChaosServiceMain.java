package dev.tracemonitor.chaos;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.DeltaSink;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * The service as a child process for {@link ServiceChaosTest}: the whole {@link TraceMonitorService} (topology and
 * Delta sinks) with the {@link ScriptedJudgeBackend}, until it is killed. Prints {@value #READY} once started; the
 * sink's "Flush (…) starting" log lines (logback-test.xml sends them to stdout) are what the test kills on.
 *
 * <p>While a file named {@value #HOLD_FILE} exists in its working directory, a sink thread that has just committed a
 * Delta version stops there, before committing the Kafka offsets of that flush, and the child prints {@value #HELD}:
 * the test kills it at that point without racing the offset commit.
 *
 * <p>Arguments: {@code key=value} settings of {@link ServiceConfig} and the Kafka clients.
 */
public final class ChaosServiceMain {

    public static final String READY = "CHAOS-CHILD READY";
    public static final String HELD = "CHAOS-CHILD HELD AFTER DELTA COMMIT";
    public static final String HOLD_FILE = "hold-after-delta-commit";
    /** The start of the sink's log message right after a flush's Delta commit (logged in {@link DeltaSink}'s package). */
    private static final String DELTA_COMMITTED = "Committed ";

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
        holdSinkAfterDeltaCommitWhile(Path.of(HOLD_FILE).toAbsolutePath());
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

    private static void holdSinkAfterDeltaCommitWhile(Path holdFile) {
        UnsynchronizedAppenderBase<ILoggingEvent> hold = new UnsynchronizedAppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getMessage().startsWith(DELTA_COMMITTED) && Files.exists(holdFile)) {
                    System.out.println(HELD + " [" + Thread.currentThread().getName() + "] "
                            + event.getFormattedMessage());
                    System.out.flush();
                    while (true) {
                        LockSupport.park();
                    }
                }
            }
        };
        ch.qos.logback.classic.Logger sinkLogger =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(DeltaSink.class.getPackageName());
        hold.setContext(sinkLogger.getLoggerContext());
        hold.start();
        sinkLogger.addAppender(hold);
    }
}
