package dev.tracemonitor.alerts;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows a compacted topic from its beginning, without a consumer group: each call hands over the records written
 * since the previous one, up to the end offsets at the time of the call (a tombstone as a null value).
 */
final class CompactedTopicReader implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private List<TopicPartition> partitions;

    CompactedTopicReader(String topic, Map<String, Object> kafka) {
        this.topic = topic;
        Map<String, Object> props = new HashMap<>(kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    void readToEnd(BiConsumer<String, byte[]> apply) {
        if (partitions == null) {
            partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new KafkaException("topic " + topic + " does not exist");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("could not read " + topic + " within " + TIMEOUT);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.key() != null) {
                    apply.accept(record.key(), record.value());
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close(TIMEOUT);
    }
}
