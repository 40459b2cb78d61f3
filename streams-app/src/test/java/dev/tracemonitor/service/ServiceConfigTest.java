package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {

    @Test
    void readmeConfigurationTableListsExactlyTheDefinedKeys() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("### Configuration"), readme.indexOf("## Topics"));
        Matcher m = Pattern.compile("(?m)^\\| `([^`]+)` \\|").matcher(section);
        Set<String> documented = new java.util.HashSet<>();
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).isEqualTo(ServiceConfig.CONFIG.names());
    }

    @Test
    void readmeDefaultsMatchTheCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (var key : ServiceConfig.CONFIG.configKeys().values()) {
            if (key.hasDefault() && !key.name.equals(ServiceConfig.STATE_DIR_CONFIG)) {
                assertThat(readme).as(key.name).contains("| `" + key.name + "` | `" + key.defaultValue + "` |");
            }
        }
    }

    @Test
    void unknownKeysPassThroughToKafkaAndServiceKeysDoNot() {
        Properties props = new Properties();
        props.put("bootstrap.servers", "b:9092");
        props.put("security.protocol", "SASL_SSL");
        props.put(ServiceConfig.WAREHOUSE_CONFIG, "/w");
        Map<String, Object> kafka = ServiceConfig.of(props).kafkaProperties();
        assertThat(kafka).containsEntry("security.protocol", "SASL_SSL").containsEntry("bootstrap.servers", "b:9092")
                .doesNotContainKey(ServiceConfig.WAREHOUSE_CONFIG);
    }

    @Test
    void kafkaSettingsOfUnparsedSettingsKeepBootstrapAndClientKeysOnly() {
        Map<String, Object> kafka = ServiceConfig.kafkaSettings(Map.of("bootstrap.servers", "b:9092",
                "security.protocol", "SSL", ServiceConfig.APPLICATION_ID_CONFIG, "app", ServiceConfig.STATE_DIR_CONFIG, "/s",
                ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1M", "trace-monitor.flush.intervall", "PT1M",
                ServiceConfig.HADOOP_PREFIX + "fs.s3a.endpoint", "http://minio:9000"));
        assertThat(kafka).containsOnlyKeys("bootstrap.servers", "security.protocol");
    }

    @Test
    void invalidValueFailsNamingTheKey() {
        Properties props = new Properties();
        props.put("bootstrap.servers", "b:9092");
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "15 minutes");
        assertThatThrownBy(() -> ServiceConfig.of(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(ServiceConfig.FLUSH_INTERVAL_CONFIG);
    }

    @Test
    void environmentVariablesMapToKeys() {
        Properties props = new Properties();
        EnvironmentOverrides.apply(Map.of("TRACE_MONITOR_FLUSH_INTERVAL", "PT1M", "KAFKA_BOOTSTRAP_SERVERS", "k:1",
                "TRACE_MONITOR_TOPIC_MONITOR_CONFIG", "cfg", "PATH", "/bin"), props);
        assertThat(props).containsEntry(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1M").containsEntry("bootstrap.servers", "k:1")
                .containsEntry(ServiceConfig.TOPIC_MONITOR_CONFIG_CONFIG, "cfg").hasSize(3);
        for (String key : ServiceConfig.CONFIG.names().stream().filter(k -> k.startsWith("trace-monitor."))
                .collect(Collectors.toSet())) {
            Properties p = new Properties();
            EnvironmentOverrides.apply(Map.of(EnvironmentOverrides.variableFor(key), "v"), p);
            assertThat(p).containsOnlyKeys(key);
        }
        assertThatThrownBy(() -> EnvironmentOverrides.apply(Map.of("TRACE_MONITOR_NOPE", "x"), new Properties()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TRACE_MONITOR_NOPE");
    }

    @Test
    void validateRejectsAnUnknownServiceKeyAndInvalidPassThroughKafkaSettingsNamingTheKey() {
        Properties props = new Properties();
        props.put("bootstrap.servers", "b:9092");
        props.put(ServiceConfig.HADOOP_PREFIX + "fs.s3a.endpoint", "http://minio:9000");
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        ServiceConfig.of(props).validate();

        Properties typo = new Properties();
        typo.putAll(props);
        typo.put("trace-monitor.sink.max.rows.per.fille", "10");
        assertThatThrownBy(() -> ServiceConfig.of(typo).validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("trace-monitor.sink.max.rows.per.fille");

        Properties badKafka = new Properties();
        badKafka.putAll(props);
        badKafka.put("fetch.max.wait.ms", "soon");
        assertThatThrownBy(() -> ServiceConfig.of(badKafka).validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("fetch.max.wait.ms");

        Properties badStreams = new Properties();
        badStreams.putAll(props);
        badStreams.put("num.stream.threads", "two");
        assertThatThrownBy(() -> ServiceConfig.of(badStreams).validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.stream.threads");
    }

    @Test
    void withAvroTracesTheRegistryOutageWaitMustStayBelowTheMainConsumersMaxPollInterval() {
        Properties json = new Properties();
        json.put("bootstrap.servers", "b:9092");
        json.put("main.consumer.max.poll.interval.ms", "5000");
        ServiceConfig.of(json).validate();

        Properties props = new Properties();
        props.put("bootstrap.servers", "b:9092");
        props.put(ServiceConfig.FORMAT_TRACES_CONFIG, "avro");
        ServiceConfig defaults = ServiceConfig.of(props).validate();
        assertThat(defaults.topologySettings().registryOutageWait()).isEqualTo(java.time.Duration.ofMinutes(2));

        Properties tooLong = new Properties();
        tooLong.putAll(props);
        tooLong.put(ServiceConfig.REGISTRY_OUTAGE_WAIT_CONFIG, "PT5M");
        assertThatThrownBy(() -> ServiceConfig.of(tooLong).validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(ServiceConfig.REGISTRY_OUTAGE_WAIT_CONFIG)
                .hasMessageContaining("max.poll.interval.ms (300000 ms)");

        Properties raisedPoll = new Properties();
        raisedPoll.putAll(tooLong);
        raisedPoll.put("main.consumer.max.poll.interval.ms", "600000");
        assertThat(ServiceConfig.of(raisedPoll).validate().topologySettings().registryOutageWait())
                .isEqualTo(java.time.Duration.ofMinutes(5));
    }

    @Test
    void operationsKeysHaveTheirDefaultsAndRanges() {
        Properties props = new Properties();
        props.put("bootstrap.servers", "b:9092");
        ServiceConfig config = ServiceConfig.of(props);
        assertThat(config.getInt(ServiceConfig.HTTP_PORT_CONFIG)).isEqualTo(8080);
        assertThat(config.getString(ServiceConfig.HTTP_ADDRESS_CONFIG)).isEqualTo("0.0.0.0");
        assertThat(config.duration(ServiceConfig.SHUTDOWN_TIMEOUT_CONFIG)).isEqualTo(java.time.Duration.ofSeconds(30));
        for (String port : new String[] {"-1", "0", "65535"}) {
            props.put(ServiceConfig.HTTP_PORT_CONFIG, port);
            assertThat(ServiceConfig.of(props).getInt(ServiceConfig.HTTP_PORT_CONFIG)).isEqualTo(Integer.parseInt(port));
        }
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "-2");
        assertThatThrownBy(() -> ServiceConfig.of(props)).hasMessageContaining(ServiceConfig.HTTP_PORT_CONFIG);
    }

    @Test
    void theLogLevelVariableIsNotASetting() {
        Properties props = new Properties();
        EnvironmentOverrides.apply(Map.of(EnvironmentOverrides.LOG_LEVEL, "DEBUG"), props);
        assertThat(props).isEmpty();
    }

    @Test
    void aTraceLimitThatTheProducerCannotSendIsRefusedNamingBothSettings() {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        props.put(ServiceConfig.MAX_TRACE_BYTES_CONFIG, "8323072");

        assertThatThrownBy(() -> ServiceConfig.of(props).validate())
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining(ServiceConfig.MAX_TRACE_BYTES_CONFIG)
                .hasMessageContaining("max.request.size (1048576) must be at least this plus 65536 bytes (8388608)");

        props.put("producer.max.request.size", "8388608");
        ServiceConfig.of(props).validate();
    }
}
