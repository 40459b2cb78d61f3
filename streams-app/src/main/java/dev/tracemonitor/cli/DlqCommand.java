package dev.tracemonitor.cli;

import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.topology.Topics;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trace-monitor dlq replay}: sends chosen dead letters back to the topic they came from, once what rejected
 * them is fixed (a schema registered after the registry refused it, for example). Key and value are sent unchanged,
 * the service's own headers removed, with an idempotent producer.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Work with the dead-letter topic.",
        subcommands = DlqCommand.Replay.class)
final class DlqCommand implements Runnable {

    static final int OK = 0;
    static final int USAGE = 2;
    static final int KAFKA = 3;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One dead letter read, and what replay does with it. */
    record Letter(ConsumerRecord<byte[], byte[]> record, String target, String skipReason) {
        String where() {
            return record.topic() + "-" + record.partition() + "@" + record.offset();
        }

        String reason() {
            String reason = DeadLetters.header(record.headers(), DeadLetters.ERROR_REASON);
            return reason == null ? "(no reason header)" : reason;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Re-publish chosen dead letters to their source topic (header "
                    + DeadLetters.SOURCE_TOPIC + ") or --to, key and value unchanged, without the trace-monitor.*"
                    + " headers. Choose by --partition and --from-offset/--to-offset, and/or --reason.",
            footer = {"", "Exit codes: 0 done, 2 bad usage, 3 Kafka unreachable or a send failed."})
    static final class Replay implements Callable<Integer> {

        @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or KAFKA_BOOTSTRAP_SERVERS).")
        String bootstrapServers;

        @Option(names = {"-c", "--config"}, description = "Properties file with Kafka client settings (security etc.).")
        Path configFile;

        @Option(names = "--dlq-topic", defaultValue = Topics.DEFAULT_DLQ, description = "Default: ${DEFAULT-VALUE}.")
        String dlqTopic;

        @Option(names = "--partition", description = "Only this partition of the dead-letter topic.")
        Integer partition;

        @Option(names = "--from-offset", description = "First offset (inclusive); needs --partition.")
        Long fromOffset;

        @Option(names = "--to-offset", description = "Last offset (inclusive); needs --partition.")
        Long toOffset;

        @Option(names = "--reason", description = "Only dead letters whose " + DeadLetters.ERROR_REASON
                + " contains this text.")
        String reason;

        @Option(names = "--to", description = "Send to this topic instead of each record's source topic.")
        String to;

        @Option(names = "--dry-run", description = "List what would be re-published; send nothing.")
        boolean dryRun;

        @Option(names = "--timeout", defaultValue = "PT30S", description = "Longest wait for Kafka (default:"
                + " ${DEFAULT-VALUE}).")
        Duration timeout;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if ((fromOffset != null || toOffset != null) && partition == null) {
                err.println("trace-monitor: --from-offset and --to-offset need --partition (offsets are per partition)");
                return USAGE;
            }
            try {
                Map<String, Object> props = KafkaClientSettings.read(bootstrapServers, configFile);
                List<Letter> letters = read(props);
                int sent = 0;
                int skipped = 0;
                try (KafkaProducer<byte[], byte[]> producer = dryRun ? null : producer(props)) {
                    for (Letter letter : letters) {
                        if (letter.skipReason() != null) {
                            skipped++;
                            out.println("skipped " + letter.where() + ": " + letter.skipReason());
                            continue;
                        }
                        if (dryRun) {
                            out.println("would re-publish " + letter.where() + " -> " + letter.target() + " key="
                                    + key(letter) + " reason: " + letter.reason());
                        } else {
                            ConsumerRecord<byte[], byte[]> r = letter.record();
                            RecordMetadata m = producer.send(new ProducerRecord<>(letter.target(), null, r.timestamp(),
                                    r.key(), r.value(), DeadLetters.original(r.headers()))).get();
                            out.println("re-published " + letter.where() + " -> " + m.topic() + "-" + m.partition()
                                    + "@" + m.offset() + " key=" + key(letter) + " reason: " + letter.reason());
                        }
                        sent++;
                    }
                }
                out.println((dryRun ? "would re-publish " : "re-published ") + sent + ", skipped " + skipped
                        + " of " + letters.size() + " chosen dead letter(s)");
                out.flush();
                return OK;
            } catch (IllegalArgumentException e) {
                err.println("trace-monitor: " + e.getMessage());
                return USAGE;
            } catch (KafkaException e) {
                err.println("trace-monitor: Kafka: " + e.getMessage());
                return KAFKA;
            } catch (Exception e) {
                err.println("trace-monitor: " + e);
                return KAFKA;
            }
        }

        private List<Letter> read(Map<String, Object> props) {
            Map<String, Object> consumerProps = new HashMap<>(props);
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumerProps.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<PartitionInfo> infos = consumer.partitionsFor(dlqTopic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalArgumentException("topic " + dlqTopic + " does not exist");
                }
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo info : infos) {
                    if (partition == null || partition == info.partition()) {
                        partitions.add(new TopicPartition(dlqTopic, info.partition()));
                    }
                }
                if (partitions.isEmpty()) {
                    throw new IllegalArgumentException(dlqTopic + " has no partition " + partition + " (it has "
                            + infos.size() + ")");
                }
                consumer.assign(partitions);
                Map<TopicPartition, Long> stop = new HashMap<>(consumer.endOffsets(partitions, timeout));
                for (TopicPartition tp : partitions) {
                    if (fromOffset != null) {
                        consumer.seek(tp, fromOffset);
                    } else {
                        consumer.seekToBeginning(List.of(tp));
                    }
                    if (toOffset != null) {
                        stop.put(tp, Math.min(stop.get(tp), toOffset + 1));
                    }
                }
                List<Letter> letters = new ArrayList<>();
                long deadline = System.nanoTime() + timeout.toNanos();
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < stop.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new KafkaException("could not read " + dlqTopic + " within " + timeout);
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                        if (record.offset() < stop.get(tp) && chosen(record)) {
                            letters.add(letter(record));
                        }
                    }
                }
                return letters;
            }
        }

        private boolean chosen(ConsumerRecord<byte[], byte[]> record) {
            if (reason == null) {
                return true;
            }
            String recordReason = DeadLetters.header(record.headers(), DeadLetters.ERROR_REASON);
            return recordReason != null && recordReason.contains(reason);
        }

        private Letter letter(ConsumerRecord<byte[], byte[]> record) {
            String source = DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC);
            if (DeadLetters.isTooLargeStub(record.value())) {
                return new Letter(record, null, "an error record standing for a trace over the size limit; the trace"
                        + " itself stays in " + source + " at partition "
                        + DeadLetters.header(record.headers(), DeadLetters.SOURCE_PARTITION) + " offset "
                        + DeadLetters.header(record.headers(), DeadLetters.SOURCE_OFFSET) + " (nothing to replay)");
            }
            String target = to != null ? to : source;
            if (target == null || target.isEmpty() || target.equals("unknown")) {
                return new Letter(record, null, "no " + DeadLetters.SOURCE_TOPIC + " header; name a topic with --to");
            }
            return new Letter(record, target, null);
        }

        private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> props) {
            Map<String, Object> producerProps = new HashMap<>(props);
            producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            return new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        }

        private static String key(Letter letter) {
            byte[] key = letter.record().key();
            return key == null ? "(none)" : new String(key, StandardCharsets.UTF_8);
        }
    }
}
