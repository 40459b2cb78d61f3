package dev.tracemonitor.ops;

import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The few client steps the operations tests share: the monitor they publish, producing, reading the table. */
final class OpsTestKit {

    static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "ops",
             "assessments_config": {"sample": 0.5, "assessments": [
               {"name": "safety"}, {"name": "groundedness"}, {"name": "chunk_relevance", "sample_rate": 0.2}]}}""";

    private OpsTestKit() {
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
        List<ConsumerRecord<byte[], byte[]>> status = TopicReader.readToEnd(clientProps, statusTopic, statuses);
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

    static Optional<DeltaTableStats> table(String path) {
        return DeltaTableStats.read(DefaultEngine.create(new Configuration()), path);
    }
}
