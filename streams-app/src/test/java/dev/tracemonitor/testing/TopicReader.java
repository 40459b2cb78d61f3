package dev.tracemonitor.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic (read_committed) from the beginning to its end offsets, for assertions on what a test produced. */
public final class TopicReader {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private TopicReader() {
    }

    public static List<ConsumerRecord<byte[], byte[]>> readToEnd(String bootstrap, String topic, int atLeast) {
        return readToEnd(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic, atLeast);
    }

    /**
     * Every committed record, once at least {@code atLeast} are there and the consumer has reached the end offsets;
     * waits for the topic to exist. {@code clientProps}: the bootstrap servers and any security settings.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readToEnd(Map<String, Object> clientProps, String topic,
                                                                 int atLeast) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = await().atMost(TIMEOUT)
                    .until(() -> consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).toList(), p -> !p.isEmpty());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(TIMEOUT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                boolean atEnd = partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                return out.size() >= atLeast && atEnd;
            });
        }
        return out;
    }
}
