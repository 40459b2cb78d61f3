package dev.tracemonitor.cli;

import dev.tracemonitor.controlplane.InvalidMonitorConfigException;
import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.model.MonitorConfig.JudgeConfig;
import dev.tracemonitor.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trace-monitor monitor create|update|get|delete|list}: the control plane over the compacted
 * {@code monitor-config} topic. Each change waits for the service's answer on {@code monitor-status}.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Create, update, read, delete and list monitors (via the monitor-config and monitor-status topics).",
        subcommands = {MonitorCommand.Create.class, MonitorCommand.Update.class, MonitorCommand.Get.class,
                MonitorCommand.Delete.class, MonitorCommand.ListMonitors.class},
        footer = {"", "Exit codes: 0 done, 1 rejected by the service (reason on stderr), 2 bad usage or input,",
                "3 no answer within --timeout or Kafka unreachable, 4 no such monitor, 5 monitor already exists."})
final class MonitorCommand implements Runnable {

    static final int OK = 0;
    static final int REJECTED = 1;
    static final int USAGE = 2;
    static final int NO_ANSWER = 3;
    static final int NOT_FOUND = 4;
    static final int EXISTS = 5;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Connection options shared by every monitor subcommand. */
    static final class Connection {
        @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or KAFKA_BOOTSTRAP_SERVERS).")
        String bootstrapServers;

        @Option(names = {"-c", "--config"}, description = "Properties file with Kafka client settings (security etc.).")
        Path configFile;

        @Option(names = "--config-topic", defaultValue = Topics.DEFAULT_MONITOR_CONFIG,
                description = "Default: ${DEFAULT-VALUE}.")
        String configTopic;

        @Option(names = "--status-topic", defaultValue = Topics.DEFAULT_MONITOR_STATUS,
                description = "Default: ${DEFAULT-VALUE}.")
        String statusTopic;

        @Option(names = "--timeout", defaultValue = "PT30S", description = "How long to wait for the service's answer"
                + " (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        Map<String, Object> clientProperties() throws IOException {
            return KafkaClientSettings.read(bootstrapServers, configFile);
        }
    }

    /** Reads the monitors in force and publishes changes, waiting for their status. */
    static final class ControlPlane implements AutoCloseable {
        private final Connection connection;
        private final Map<String, Object> props;
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<TopicPartition> statusPartitions;

        ControlPlane(Connection connection) throws IOException {
            this.connection = connection;
            this.props = connection.clientProperties();
            Map<String, Object> consumerProps = new HashMap<>(props);
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumerProps.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) connection.timeout.toMillis());
            this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
            List<PartitionInfo> infos = consumer.partitionsFor(connection.statusTopic, connection.timeout);
            if (infos == null || infos.isEmpty()) {
                throw new KafkaException("topic " + connection.statusTopic + " does not exist: is the service running?");
            }
            this.statusPartitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(statusPartitions);
        }

        /** The latest status of every monitor, read from the compacted status topic. */
        Map<String, MonitorStatus> latest() {
            Map<String, MonitorStatus> latest = new TreeMap<>();
            consumer.seekToBeginning(statusPartitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(statusPartitions, connection.timeout);
            long deadline = System.nanoTime() + connection.timeout.toNanos();
            while (statusPartitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("could not read " + connection.statusTopic + " within " + connection.timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.value() != null) {
                        latest.put(record.key(), MonitorStatus.decode(record.value()));
                    }
                }
            }
            return latest;
        }

        MonitorStatus inForce(String experimentId) {
            MonitorStatus status = latest().get(experimentId);
            return status == null || status.configInForce() == null ? null : status;
        }

        /** Publishes a config (or a tombstone when null) and returns the service's answer, or null on timeout. */
        MonitorStatus publish(String experimentId, byte[] value) throws Exception {
            Map<TopicPartition, Long> before = consumer.endOffsets(statusPartitions, connection.timeout);
            RecordMetadata sent;
            Map<String, Object> producerProps = new HashMap<>(props);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                    new ByteArraySerializer())) {
                sent = producer.send(new ProducerRecord<>(connection.configTopic, experimentId, value)).get();
            }
            before.forEach(consumer::seek);
            long deadline = System.nanoTime() + connection.timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    MonitorStatus status = MonitorStatus.decode(record.value());
                    if (experimentId.equals(record.key()) && status.publishedVersion() == sent.offset()) {
                        return status;
                    }
                }
            }
            return null;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** Shared behaviour of the subcommands: connection, error handling, printing. */
    abstract static class Sub implements Callable<Integer> {
        @Mixin
        ConnectionMixin connectionMixin;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        @Override
        public Integer call() {
            try (ControlPlane plane = new ControlPlane(connectionMixin.connection)) {
                return run(plane);
            } catch (IllegalArgumentException | InvalidMonitorConfigException e) {
                err().println("trace-monitor: " + e.getMessage());
                return USAGE;
            } catch (KafkaException e) {
                err().println("trace-monitor: Kafka: " + e.getMessage());
                return NO_ANSWER;
            } catch (Exception e) {
                err().println("trace-monitor: " + e);
                return NO_ANSWER;
            }
        }

        abstract int run(ControlPlane plane) throws Exception;

        int report(MonitorStatus status, String experimentId) {
            if (status == null) {
                err().println("no answer on the status topic within " + connectionMixin.connection.timeout
                        + ": is the service running?");
                return NO_ANSWER;
            }
            if (MonitorStatus.REJECTED.equals(status.status())) {
                err().println("rejected: " + status.reason());
                err().println("the config in force is still version " + status.versionInForce());
                return REJECTED;
            }
            out().println(status.status() + ": monitor " + experimentId + (status.versionInForce() == null ? ""
                    : " (config version " + status.versionInForce() + ")"));
            return OK;
        }
    }

    /** picocli mixin carrying the connection options. */
    static final class ConnectionMixin {
        @ArgGroup(exclusive = false, heading = "Connection%n")
        Connection connection = new Connection();
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a monitor; fails if it exists.")
    static final class Create extends Sub {
        @ArgGroup(exclusive = false, heading = "Config%n")
        MonitorConfigSource source = new MonitorConfigSource();

        @Override
        int run(ControlPlane plane) throws Exception {
            MonitorConfig config = source.read();
            if (plane.inForce(config.experimentId()) != null) {
                err().println("monitor " + config.experimentId() + " already exists; use `monitor update` to replace it");
                return EXISTS;
            }
            return report(plane.publish(config.experimentId(), MonitorConfigCodec.encode(config)), config.experimentId());
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Replace a monitor's config whole; its catalog and schema cannot change.")
    static final class Update extends Sub {
        @ArgGroup(exclusive = false, heading = "Config%n")
        MonitorConfigSource source = new MonitorConfigSource();

        @Override
        int run(ControlPlane plane) throws Exception {
            MonitorConfig config = source.read();
            if (plane.inForce(config.experimentId()) == null) {
                err().println("no monitor for experiment " + config.experimentId() + "; use `monitor create`");
                return NOT_FOUND;
            }
            return report(plane.publish(config.experimentId(), MonitorConfigCodec.encode(config)), config.experimentId());
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the config in force for an experiment.")
    static final class Get extends Sub {
        @Parameters(paramLabel = "EXPERIMENT_ID")
        String experimentId;

        @Override
        int run(ControlPlane plane) {
            MonitorStatus status = plane.inForce(experimentId);
            if (status == null) {
                err().println("no monitor for experiment " + experimentId);
                return NOT_FOUND;
            }
            out().println(MonitorConfigCodec.toPrettyJson(status.configInForce()));
            err().println("config version " + status.versionInForce() + "; last publish " + status.status()
                    + (status.reason() == null ? "" : " (" + status.reason() + ")"));
            return OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a monitor (publishes a tombstone); its Delta table stays.")
    static final class Delete extends Sub {
        @Parameters(paramLabel = "EXPERIMENT_ID")
        String experimentId;

        @Override
        int run(ControlPlane plane) throws Exception {
            if (plane.inForce(experimentId) == null) {
                err().println("no monitor for experiment " + experimentId);
                return NOT_FOUND;
            }
            return report(plane.publish(experimentId, null), experimentId);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the monitors in force.")
    static final class ListMonitors extends Sub {
        @Override
        int run(ControlPlane plane) {
            out().printf("%-16s %-28s %-7s %-8s %s%n", "EXPERIMENT", "TABLE", "SAMPLE", "VERSION", "JUDGES");
            for (MonitorStatus status : plane.latest().values()) {
                MonitorConfig c = status.configInForce();
                if (c == null) {
                    continue;
                }
                List<String> judges = new ArrayList<>();
                for (JudgeConfig j : c.judges()) {
                    String name = (j.isGuidelines() ? "guidelines" + j.guidelines().keySet()
                            : j.isScorer() ? "scorer:" + j.scorer() : j.name())
                            + (j.model() == null ? "" : "(" + j.model() + ")");
                    judges.add(j.sampleRate() == null ? name : name + "@" + j.sampleRate());
                }
                out().printf("%-16s %-28s %-7s %-8d %s%n", c.experimentId(),
                        c.catalogName() + "." + c.schemaName() + "." + c.tableName(), c.defaultSample(),
                        status.versionInForce(), String.join(", ", judges));
            }
            return OK;
        }
    }
}
