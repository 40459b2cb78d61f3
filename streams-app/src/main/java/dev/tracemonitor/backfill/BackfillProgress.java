package dev.tracemonitor.backfill;

import dev.tracemonitor.scoring.JudgeTask;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Which (trace, judge) pairs a backfill has finished, kept in a compacted topic keyed
 * {@code <experiment_id> NUL <trace_id> NUL <judge>}. A pair's record is written in the same Kafka transaction as
 * its Assessments on {@code trace-feedback}, so a committed record means its Assessments are committed too, and a run
 * killed before a commit left neither: reading the committed records back is where a restart resumes.
 */
final class BackfillProgress {

    private static final byte[] DONE = "done".getBytes(StandardCharsets.UTF_8);

    private final String topic;

    BackfillProgress(String topic) {
        this.topic = topic;
    }

    /** Creates the compacted topic unless it exists. */
    void create(Map<String, Object> adminProps) throws InterruptedException {
        try (Admin admin = Admin.create(adminProps)) {
            NewTopic newTopic = new NewTopic(topic, Optional.empty(), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("cannot create the backfill progress topic " + topic, e.getCause());
            }
        }
    }

    /**
     * The pairs of the experiment finished by committed backfills, as {@link JudgeTask#resultKey} keys; none when the
     * topic does not exist yet.
     */
    Set<String> finished(Map<String, Object> consumerProps, String experimentId, Duration timeout) {
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        String prefix = experimentId + '\u0000';
        Set<String> done = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("could not read " + topic + " within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.value() != null && record.key().startsWith(prefix)) {
                        done.add(record.key().substring(prefix.length()));
                    }
                }
            }
        }
        return done;
    }

    /** The record that marks a pair finished. */
    ProducerRecord<String, byte[]> finishedRecord(String experimentId, JudgeTask task) {
        return new ProducerRecord<>(topic, experimentId + '\u0000' + task.key(), DONE);
    }
}
