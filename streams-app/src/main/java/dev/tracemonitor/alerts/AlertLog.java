package dev.tracemonitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts raised so far, in a compacted topic keyed by {@link Alert#id()}: an alert is recorded as pending before
 * its first post and as delivered once its webhook answered 2xx, so an alert whose receiver is down is posted again,
 * by this process or whichever takes over, until it is delivered, and a delivered one is never posted again.
 */
final class AlertLog implements AutoCloseable {

    /** A recorded alert, where it goes, and whether its receiver has it. */
    record Entry(Alert alert, URI webhook, boolean delivered) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private static final Logger LOG = LoggerFactory.getLogger(AlertLog.class);

    private final CompactedTopicReader reader;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Entry> entries = new HashMap<>();

    AlertLog(String topic, Map<String, Object> kafka, boolean create) {
        this.topic = topic;
        if (create) {
            create(kafka);
        }
        this.reader = new CompactedTopicReader(topic, kafka);
        Map<String, Object> producerProps = new HashMap<>(kafka);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    }

    private void create(Map<String, Object> kafka) {
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("cannot create the alerts topic " + topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted creating the alerts topic " + topic, e);
        }
    }

    /** Reads what was recorded since the last call (by any process) and returns every alert recorded. */
    Map<String, Entry> readToEnd() {
        reader.readToEnd((key, value) -> {
            if (value == null) {
                entries.remove(key);
                return;
            }
            try {
                entries.put(key, decode(value));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping unreadable record {} on the alerts topic {}: {}", key, topic, e.toString());
            }
        });
        return Map.copyOf(entries);
    }

    /** Records the alert, waiting for the broker's acknowledgement. */
    void record(Entry entry) {
        ObjectNode value = Json.MAPPER.createObjectNode();
        value.set("alert", entry.alert().toJson());
        value.put("webhook", entry.webhook().toString()).put("delivered", entry.delivered());
        try {
            producer.send(new ProducerRecord<>(topic, entry.alert().id(), Json.MAPPER.writeValueAsBytes(value)))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted recording alert " + entry.alert().id(), e);
        } catch (Exception e) {
            throw new KafkaException("cannot record alert " + entry.alert().id() + " on " + topic, e);
        }
        entries.put(entry.alert().id(), entry);
    }

    private static Entry decode(byte[] value) throws IOException {
        JsonNode node = Json.MAPPER.readTree(new String(value, StandardCharsets.UTF_8));
        return new Entry(Alert.fromJson(node.path("alert")), URI.create(node.path("webhook").asText()),
                node.path("delivered").asBoolean());
    }

    @Override
    public void close() {
        reader.close();
        producer.close(TIMEOUT);
    }
}
