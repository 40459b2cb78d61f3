package dev.tracemonitor.cli;

import dev.tracemonitor.service.EnvironmentOverrides;
import dev.tracemonitor.service.ServiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The connection flags of the commands that run as the service does ({@code run}, {@code backfill}): a properties
 * file, then the environment, then these flags, then {@code -D} pairs, read into the properties of a
 * {@link ServiceConfig}.
 */
final class ServiceOptions {

    @Option(names = {"-c", "--config"}, description = "Properties file (service keys and any Kafka client setting).")
    Path configFile;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--warehouse", description = "Root of the Delta tables (trace-monitor.warehouse).")
    String warehouse;

    @Option(names = {"-D", "--set"}, description = "Any setting as key=value; repeatable.")
    Map<String, String> overrides = Map.of();

    /** The settings, with {@code flags} (key to value, null when not given) over the file and the environment. */
    Properties properties(Map<String, String> flags) throws IOException {
        Properties props = new Properties();
        if (configFile != null) {
            try (InputStream in = Files.newInputStream(configFile)) {
                props.load(in);
            }
        }
        EnvironmentOverrides.apply(System.getenv(), props);
        putIfSet(props, ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        putIfSet(props, ServiceConfig.WAREHOUSE_CONFIG, warehouse);
        flags.forEach((key, value) -> putIfSet(props, key, value));
        props.putAll(overrides);
        return props;
    }

    private static void putIfSet(Properties props, String key, String value) {
        if (value != null) {
            props.put(key, value);
        }
    }
}
