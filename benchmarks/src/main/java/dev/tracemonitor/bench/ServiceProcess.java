package dev.tracemonitor.bench;

import com.sun.management.GcInfo;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The service as a user runs it, a child JVM: {@code java -Xmx… -cp streams-app/target/trace-monitor.jar:
 * streams-app/target/lib/* dev.tracemonitor.cli.TraceMonitorCommand run …}. Its resident memory is sampled from
 * {@code /proc} while it runs; {@link #peakRss()} is the kernel's high-water mark (VmHWM). Kafka client metrics are
 * read over JMX (the local attach API) where a scenario needs them.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final AtomicLong maxSampledRss = new AtomicLong(-1);
    private final Thread sampler;
    private volatile boolean sampling = true;
    private JMXConnector jmx;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.sampler = new Thread(() -> {
            while (sampling && process.isAlive()) {
                long rss = ProcStatus.rss(process.pid());
                maxSampledRss.accumulateAndGet(rss, Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /**
     * @param repoRoot  the checkout whose {@code streams-app/target} holds the built service
     * @param heap      the -Xmx value, e.g. {@code 256m}
     * @param jvmOptions more JVM options
     * @param settings  {@code -D key=value} service and Kafka settings
     */
    public static ServiceProcess start(Path repoRoot, Path log, String heap, List<String> jvmOptions,
                                       Map<String, String> settings, Map<String, String> environment)
            throws IOException {
        Path target = repoRoot.resolve("streams-app/target");
        if (!Files.exists(target.resolve("trace-monitor.jar"))) {
            throw new IOException("no " + target.resolve("trace-monitor.jar") + ": build streams-app first");
        }
        List<String> command = new ArrayList<>();
        command.add(Java.executable());
        command.add("-Xmx" + heap);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(target.resolve("trace-monitor.jar") + ":" + target.resolve("lib") + "/*");
        command.add("dev.tracemonitor.cli.TraceMonitorCommand");
        return launch(command, log, settings, env -> env.putAll(environment));
    }

    /**
     * The service as {@code streams-app/bin/trace-monitor run} starts it, with the launcher's JVM defaults: no
     * {@code JAVA_OPTS} (the launcher {@code exec}s java, so the process is the JVM itself).
     */
    public static ServiceProcess startWithLauncher(Path repoRoot, Path log, Map<String, String> settings)
            throws IOException {
        Path launcher = repoRoot.resolve("streams-app/bin/trace-monitor");
        String javaBin = Path.of(Java.executable()).getParent().toString();
        return launch(List.of("bash", launcher.toString()), log, settings, env -> {
            env.remove("JAVA_OPTS");
            env.put("PATH", javaBin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        });
    }

    private static ServiceProcess launch(List<String> commandStart, Path log, Map<String, String> settings,
                                         Consumer<Map<String, String>> environment) throws IOException {
        List<String> command = new ArrayList<>(commandStart);
        command.add("run");
        settings.forEach((k, v) -> {
            command.add("-D");
            command.add(k + "=" + v);
        });
        Files.writeString(log, String.join(" ", command) + "\n");
        ProcessBuilder builder = new ProcessBuilder(command);
        environment.accept(builder.environment());
        Process process = builder
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new ServiceProcess(process, log);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** The highest resident set size the kernel has seen for the process (VmHWM). */
    public long peakRss() {
        return ProcStatus.peakRss(process.pid());
    }

    public long rss() {
        return ProcStatus.rss(process.pid());
    }

    public long maxSampledRss() {
        return maxSampledRss.get();
    }

    /** The sum of a Kafka consumer metric over the consumers whose client id contains {@code clientIdPart}. */
    public double consumerMetric(String clientIdPart, String attribute) throws Exception {
        MBeanServerConnection server = jmx();
        Set<ObjectName> names = server.queryNames(
                new ObjectName("kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*"), null);
        double sum = 0;
        for (ObjectName name : names) {
            if (name.getKeyProperty("client-id").contains(clientIdPart)) {
                Object value = server.getAttribute(name, attribute);
                if (value instanceof Number n) {
                    sum += n.doubleValue();
                }
            }
        }
        return sum;
    }

    /** Heap in use right now (no GC forced). */
    public long heapUsed() throws Exception {
        return heapUsage().getUsed();
    }

    /** The heap's maximum size as the JVM reports it (about -Xmx, less one survivor space with the serial collector). */
    public long heapMax() throws Exception {
        return heapUsage().getMax();
    }

    private MemoryUsage heapUsage() throws Exception {
        return MemoryUsage.from((CompositeData) jmx().getAttribute(new ObjectName("java.lang:type=Memory"),
                "HeapMemoryUsage"));
    }

    /**
     * The heap in use right after the latest garbage collection, young or full (the collectors' {@code LastGcInfo}),
     * summed over the heap's pools; 0 before the first collection.
     */
    public long heapAfterLastGc() throws Exception {
        MBeanServerConnection server = jmx();
        Set<String> heapPools = new HashSet<>();
        for (ObjectName pool : server.queryNames(new ObjectName("java.lang:type=MemoryPool,*"), null)) {
            if ("HEAP".equals(server.getAttribute(pool, "Type"))) {
                heapPools.add(pool.getKeyProperty("name"));
            }
        }
        GcInfo latest = null;
        for (ObjectName collector : server.queryNames(new ObjectName("java.lang:type=GarbageCollector,*"), null)) {
            if (server.getAttribute(collector, "LastGcInfo") instanceof CompositeData data) {
                GcInfo info = GcInfo.from(data);
                if (latest == null || info.getEndTime() > latest.getEndTime()) {
                    latest = info;
                }
            }
        }
        if (latest == null) {
            return 0;
        }
        return latest.getMemoryUsageAfterGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                .mapToLong(e -> e.getValue().getUsed()).sum();
    }

    private synchronized MBeanServerConnection jmx() throws Exception {
        if (jmx == null) {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(process.pid()));
            try {
                String address = vm.startLocalManagementAgent();
                jmx = JMXConnectorFactory.connect(new JMXServiceURL(address));
            } finally {
                vm.detach();
            }
        }
        return jmx.getMBeanServerConnection();
    }

    /** The JVM's native memory summary (needs -XX:NativeMemoryTracking=summary), or why there is none. */
    public String nativeMemorySummary() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "VM.native_memory", "summary").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "jcmd failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Stops the service with SIGTERM (it closes cleanly), then forcibly after 60 s. */
    @Override
    public void close() {
        sampling = false;
        if (jmx != null) {
            try {
                jmx.close();
            } catch (IOException ignored) {
                // the service is going away anyway
            }
        }
        try {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
