package dev.tracemonitor.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic (read_committed, unless told otherwise) from the beginning on a background thread, keeping every value
 * by key.
 */
public final class TopicCollector<V> implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final Map<String, List<V>> byKey = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    public TopicCollector(String bootstrap, String topic, Function<byte[], V> decoder) {
        this(bootstrap, topic, decoder, IsolationLevel.READ_COMMITTED);
    }

    /** With {@link IsolationLevel#READ_UNCOMMITTED} it also keeps the records of aborted transactions. */
    public TopicCollector(String bootstrap, String topic, Function<byte[], V> decoder, IsolationLevel isolation) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString()), new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("topic " + topic + " does not exist yet");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        byKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(decoder.apply(r.value()));
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        }, "collector-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    public List<V> get(String key) {
        return byKey.getOrDefault(key, List.of());
    }

    public Map<String, List<V>> all() {
        return byKey;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
