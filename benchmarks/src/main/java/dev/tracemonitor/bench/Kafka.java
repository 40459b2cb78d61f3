package dev.tracemonitor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.model.Json;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The driver's Kafka side: admin look-ups, the monitor publish, and client settings. */
public final class Kafka implements AutoCloseable {

    private final String bootstrap;
    private final Admin admin;

    public Kafka(String bootstrap) {
        this.bootstrap = bootstrap;
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** Waits until the topics exist (the service creates them at start). */
    public void awaitTopics(Collection<String> topics, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<String> existing = admin.listTopics().names().get();
            if (existing.containsAll(topics)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topics " + topics + " not created within " + timeout + "; have " + existing);
            }
            Thread.sleep(100);
        }
    }

    public List<TopicPartition> partitions(String topic) throws ExecutionException, InterruptedException {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        return description.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /**
     * The sum over partitions of the last stable offset (read_committed): with transactional writers it also counts
     * one commit marker per transaction, so compare with what a read_committed consumer reads when exactness matters.
     */
    public long committedEnd(String topic) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> request = partitions(topic).stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .values().stream().mapToLong(info -> info.offset()).sum();
    }

    /** Publishes a monitor config and waits for the service's answer on monitor-status; returns that status. */
    public String publishMonitor(String experimentId, String configJson, Duration timeout) throws Exception {
        try (KafkaConsumer<String, String> status = new KafkaConsumer<>(consumerProps(Map.of(),
                StringDeserializer.class));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            status.assign(partitions("monitor-status"));
            status.seekToEnd(status.assignment());
            status.assignment().forEach(status::position);
            producer.send(new ProducerRecord<>("monitor-config", experimentId, configJson)).get();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : status.poll(Duration.ofMillis(200))) {
                    if (experimentId.equals(record.key())) {
                        JsonNode answer = Json.MAPPER.readTree(record.value());
                        String s = answer.path("status").asText();
                        if (!"accepted".equals(s)) {
                            throw new IllegalStateException("monitor rejected: " + record.value());
                        }
                        return s;
                    }
                }
            }
            throw new TimeoutException("no monitor-status answer within " + timeout);
        }
    }

    public <V> Map<String, Object> consumerProps(Map<String, Object> extra, Class<?> valueDeserializer) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                valueDeserializer == ByteArrayDeserializer.class ? ByteArrayDeserializer.class : StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDeserializer);
        props.putAll(extra);
        return props;
    }

    /** A producer for load: byte keys and values, batching for throughput, no compression. */
    public KafkaProducer<byte[], byte[]> loadProducer(int lingerMs) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
