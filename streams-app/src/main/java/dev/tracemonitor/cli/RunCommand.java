package dev.tracemonitor.cli;

import dev.tracemonitor.judges.JudgeBackends;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.service.EnvironmentOverrides;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trace-monitor run}: the service against an existing Kafka cluster, until SIGTERM. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the service (Kafka Streams topology + Delta sink) against a Kafka cluster until SIGTERM.")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, description = "Properties file (service keys and any Kafka client setting).")
    Path configFile;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--warehouse", description = "Root of the Delta tables (trace-monitor.warehouse).")
    String warehouse;

    @Option(names = "--flush-interval", description = "Delta commit interval, ISO-8601 (trace-monitor.flush.interval).")
    String flushInterval;

    @Option(names = "--judge-backend", description = "local or llm (trace-monitor.judge.backend).")
    String judgeBackend;

    @Option(names = {"-D", "--set"}, description = "Any setting as key=value; repeatable.")
    Map<String, String> overrides = Map.of();

    @Override
    public Integer call() throws Exception {
        ServiceConfig config;
        try {
            config = ServiceConfig.of(properties());
            JudgeBackends.check(config);
        } catch (ConfigException e) {
            System.err.println("trace-monitor: invalid configuration: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        TraceMonitorService service = new TraceMonitorService(config, JudgeBackends.create(config),
                TraceMonitorMetrics.inMemory());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "trace-monitor-shutdown"));
        service.start();
        System.out.println("trace-monitor running against " + config.getString(ServiceConfig.BOOTSTRAP_SERVERS)
                + "; warehouse " + config.getString(ServiceConfig.WAREHOUSE) + "; stop with SIGTERM or Ctrl-C");
        stopped.await();
        return 0;
    }

    Properties properties() throws IOException {
        Properties props = new Properties();
        if (configFile != null) {
            try (InputStream in = Files.newInputStream(configFile)) {
                props.load(in);
            }
        }
        EnvironmentOverrides.apply(System.getenv(), props);
        putIfSet(props, ServiceConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        putIfSet(props, ServiceConfig.WAREHOUSE, warehouse);
        putIfSet(props, ServiceConfig.FLUSH_INTERVAL, flushInterval);
        putIfSet(props, ServiceConfig.JUDGE_BACKEND, judgeBackend);
        props.putAll(overrides);
        return props;
    }

    private static void putIfSet(Properties props, String key, String value) {
        if (value != null) {
            props.put(key, value);
        }
    }
}
