package dev.tracemonitor.ops;

import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.testing.TestTraces;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real in-JVM KRaft broker and the few client steps the operations tests share. */
final class OpsTestKit {

    static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "ops",
             "assessments_config": {"sample": 0.5, "assessments": [
               {"name": "safety"}, {"name": "groundedness"}, {"name": "chunk_relevance", "sample_rate": 0.2}]}}""";

    private OpsTestKit() {
    }

    static KafkaClusterTestKit startBroker(SecurityProtocol protocol) throws Exception {
        TestKitNodes.Builder nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1);
        if (protocol != SecurityProtocol.PLAINTEXT) {
            // the controller listener too: with the test kit's ACL authorizer, an anonymous controller connection
            // could not register the node
            nodes.setBrokerSecurityProtocol(protocol).setControllerSecurityProtocol(protocol);
        }
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes.build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster;
    }

    static KafkaProducer<byte[], byte[]> producer(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Publishes {@link #MONITOR} and waits for its accepted status; returns the config version. */
    static long publishMonitor(Map<String, Object> clientProps, String configTopic, String statusTopic)
            throws Exception {
        return publishMonitor(clientProps, configTopic, statusTopic, MONITOR, 1);
    }

    /**
     * Publishes a monitor config for experiment 42 and waits for the {@code statuses}-th status, which must accept it;
     * returns the config version (the offset of the config record).
     */
    static long publishMonitor(Map<String, Object> clientProps, String configTopic, String statusTopic, String monitor,
                               int statuses) throws Exception {
        long offset;
        try (KafkaProducer<byte[], byte[]> producer = producer(clientProps)) {
            offset = producer.send(new ProducerRecord<>(configTopic, TestTraces.utf8("42"), TestTraces.utf8(monitor)))
                    .get().offset();
        }
        List<ConsumerRecord<byte[], byte[]>> status = readAll(clientProps, statusTopic, statuses, Duration.ofMinutes(2));
        MonitorStatus accepted = MonitorStatus.decode(status.get(status.size() - 1).value());
        if (!MonitorStatus.ACCEPTED.equals(accepted.status())) {
            throw new AssertionError("monitor not accepted: " + accepted);
        }
        return offset;
    }

    static void produce(Map<String, Object> clientProps, String topic, List<DemoRecord> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer(clientProps)) {
            for (DemoRecord record : records) {
                producer.send(new ProducerRecord<>(topic, TestTraces.utf8(record.key()), record.value()));
            }
            producer.flush();
        }
    }

    /** Every committed record of a topic, once at least {@code atLeast} are there. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, Object> clientProps, String topic, int atLeast,
                                                        Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            await().atMost(timeout).until(() -> !consumer.partitionsFor(topic).isEmpty());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(timeout).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                return out.size() >= atLeast && atEnd;
            });
        }
        return out;
    }

    static Optional<DeltaTableStats> table(String path) {
        return DeltaTableStats.read(DefaultEngine.create(new Configuration()), path);
    }
}
