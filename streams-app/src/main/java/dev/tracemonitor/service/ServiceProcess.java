package dev.tracemonitor.service;

import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The service as an operating-system process, for {@code trace-monitor run}: a Prometheus registry with JVM, Kafka and
 * service meters, the HTTP endpoint ({@link OpsHttpServer}), the service, and a clean stop on SIGTERM or SIGINT within
 * {@code trace-monitor.shutdown.timeout}. SIGTERM is handled rather than left to the JVM's shutdown hooks so that a
 * clean stop ends the process with status 0 (the JVM's default for SIGTERM is 143).
 */
public final class ServiceProcess {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);

    private ServiceProcess() {
    }

    /**
     * Runs until SIGTERM or SIGINT, then stops.
     *
     * @return the exit status: 0 after a clean stop, 1 if the service failed to start or did not stop in time
     */
    public static int runUntilSignalled(ServiceConfig config, JudgeBackend backend, PrintWriter out) {
        return run(config, backend, out, releasedOnSignal());
    }

    /** A latch that SIGTERM or SIGINT releases, in place of the JVM's default handling of those signals. */
    public static CountDownLatch releasedOnSignal() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(signal), s -> stop.countDown());
            } catch (IllegalArgumentException e) {
                LOG.warn("cannot handle SIG{} ({}); the JVM's default applies", signal, e.getMessage());
            }
        }
        return stop;
    }

    /** Runs until {@code stop} is released, then stops; see {@link #runUntilSignalled}. */
    public static int run(ServiceConfig config, JudgeBackend backend, PrintWriter out, CountDownLatch stop) {
        Duration timeout = config.duration(ServiceConfig.SHUTDOWN_TIMEOUT_CONFIG);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmGcMetrics gc = new JvmGcMetrics();
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        TraceMonitorService service = new TraceMonitorService(config, backend, new TraceMonitorMetrics(registry));
        Thread hook = new Thread(() -> service.shutdown(timeout), "trace-monitor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        OpsHttpServer http = null;
        try {
            int port = config.getInt(ServiceConfig.HTTP_PORT_CONFIG);
            if (port >= 0) {
                http = OpsHttpServer.start(config.getString(ServiceConfig.HTTP_ADDRESS_CONFIG), port, registry,
                        service::refreshMetrics, service::health, service.monitoringPage());
                out.printf("trace-monitor: http endpoint on %s:%d (/ monitoring page, /metrics, /health/live,"
                                + " /health/ready)%n",
                        config.getString(ServiceConfig.HTTP_ADDRESS_CONFIG), http.port());
                out.flush();
            }
            service.start();
            out.println("trace-monitor running against " + config.getString(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + "; warehouse " + config.getString(ServiceConfig.WAREHOUSE_CONFIG) + "; stop with SIGTERM or Ctrl-C");
            out.flush();
            stop.await();
            out.println("trace-monitor: stopping (at most " + timeout + ")");
            out.flush();
            long start = System.nanoTime();
            boolean clean = service.shutdown(timeout);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            out.println(clean ? "trace-monitor: stopped cleanly in " + took.toMillis() + " ms"
                    : "trace-monitor: did not stop within " + timeout + "; uncommitted work is read again from Kafka"
                            + " on the next start");
            out.flush();
            return clean ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            service.shutdown(timeout);
            return 1;
        } catch (MisconfiguredTopicException e) {
            LOG.error("trace-monitor cannot start: {}", e.getMessage());
            out.println("trace-monitor: cannot start: " + e.getMessage());
            out.flush();
            service.shutdown(timeout);
            return 1;
        } catch (Exception e) {
            LOG.error("trace-monitor failed to start", e);
            out.println("trace-monitor: failed to start: " + e);
            out.flush();
            service.shutdown(timeout);
            return 1;
        } finally {
            if (http != null) {
                http.close();
            }
            gc.close();
            registry.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting; the hook finds the service closed
            }
        }
    }
}
