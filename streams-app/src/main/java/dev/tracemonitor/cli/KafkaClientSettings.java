package dev.tracemonitor.cli;

import dev.tracemonitor.service.EnvironmentOverrides;
import dev.tracemonitor.service.ServiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The Kafka client settings of a command that talks to the cluster: a properties file, then {@code KAFKA_*}
 * environment variables, then {@code --bootstrap-servers}, as the service itself reads them.
 */
final class KafkaClientSettings {

    private KafkaClientSettings() {
    }

    static Map<String, Object> read(String bootstrapServers, Path configFile) throws IOException {
        Properties props = new Properties();
        if (configFile != null) {
            try (InputStream in = Files.newInputStream(configFile)) {
                props.load(in);
            }
        }
        EnvironmentOverrides.apply(System.getenv().entrySet().stream()
                .filter(e -> e.getKey().startsWith(EnvironmentOverrides.KAFKA_PREFIX))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), props);
        if (bootstrapServers != null) {
            props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        if (!props.containsKey(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("--bootstrap-servers is required (or KAFKA_BOOTSTRAP_SERVERS)");
        }
        return ServiceConfig.kafkaSettings(props);
    }
}
