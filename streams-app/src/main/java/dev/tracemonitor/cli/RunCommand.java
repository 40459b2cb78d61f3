package dev.tracemonitor.cli;

import dev.tracemonitor.service.EnvironmentOverrides;
import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trace-monitor run}: the service against an existing Kafka cluster, until SIGTERM. An invalid setting ends
 * it at once with status 2 and a message naming the key; a clean stop ends it with status 0.
 */
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ServiceConfig config;
        try {
            config = ServiceConfig.of(properties()).validate();
            JudgeBackends.check(config.judging());
        } catch (ConfigException e) {
            err.println("trace-monitor: invalid configuration: " + e.getMessage());
            err.flush();
            return 2;
        } catch (IOException e) {
            err.println("trace-monitor: cannot read the configuration file " + configFile + ": " + e);
            err.flush();
            return 2;
        }
        return ServiceProcess.runUntilSignalled(config, JudgeBackends.create(config), spec.commandLine().getOut());
    }

    Properties properties() throws IOException {
        Properties props = new Properties();
        if (configFile != null) {
            try (InputStream in = Files.newInputStream(configFile)) {
                props.load(in);
            }
        }
        EnvironmentOverrides.apply(System.getenv(), props);
        putIfSet(props, ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        putIfSet(props, ServiceConfig.WAREHOUSE_CONFIG, warehouse);
        putIfSet(props, ServiceConfig.FLUSH_INTERVAL_CONFIG, flushInterval);
        putIfSet(props, ServiceConfig.JUDGE_BACKEND_CONFIG, judgeBackend);
        props.putAll(overrides);
        return props;
    }

    private static void putIfSet(Properties props, String key, String value) {
        if (value != null) {
            props.put(key, value);
        }
    }
}
