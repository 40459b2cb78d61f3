package dev.tracemonitor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TopicReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code dlq replay} on a real broker: which dead letters it chooses, what it sends, and what it skips. */
class DlqReplayCommandTest {

    private static final String DLQ = "replay-dlq";
    private static final String SOURCE = "replay-traces";
    private static final String UNKNOWN_ID = "unknown schema id 7: the registry has no such schema";
    private static final byte[] STUB = """
            {"error":"record too large","size_bytes":2097152,"limit_bytes":983040,"topic":"replay-traces",\
            "partition":0,"offset":42}""".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    /** Offsets 0-4 of the dead-letter topic; each test replays to its own topic or reads only. */
    @BeforeAll
    static void deadLetters() throws Exception {
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(DLQ, 1, (short) 1), new NewTopic(SOURCE, 1, (short) 1),
                    new NewTopic("replay-other", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            send(producer, "k0", "v0".getBytes(StandardCharsets.UTF_8), "expected '{' at $", SOURCE, 10);
            send(producer, "k1", new byte[] {0, 0, 0, 0, 7, 1}, UNKNOWN_ID, SOURCE, 11);
            send(producer, null, STUB, "record of 2097152 bytes (key, value and headers) exceeds the trace limit", SOURCE,
                    42);
            send(producer, "k3", new byte[] {0, 0, 0, 0, 7, 3}, UNKNOWN_ID, SOURCE, 13);
            send(producer, "k4", new byte[] {0, 0, 0, 0, 7, 4}, UNKNOWN_ID, null, -1);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value, String reason,
                             String source, long offset) throws Exception {
        Headers original = new RecordHeaders().add("app", "chat".getBytes(StandardCharsets.UTF_8));
        Headers headers = DeadLetters.headers(original, "decode", reason, source == null ? "" : source, 0, offset);
        if (source == null) {
            headers.remove(DeadLetters.SOURCE_TOPIC);
        }
        producer.send(new ProducerRecord<>(DLQ, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value, headers)).get();
    }

    private static String run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("dlq", "replay", "--bootstrap-servers", broker.bootstrapServers(),
                "--dlq-topic", DLQ));
        all.addAll(List.of(args));
        assertThat(cmd.execute(all.toArray(String[]::new))).as(out + "\n" + err).isEqualTo(expectedExit);
        return expectedExit == 0 ? out.toString() : err.toString();
    }

    @Test
    void dryRunOfAnOffsetRangeListsTheChosenLettersSkipsTheTooLargeStubAndSendsNothing() {
        String out = run(0, "--partition", "0", "--from-offset", "1", "--to-offset", "3", "--dry-run");

        assertThat(out.lines()).containsExactly(
                "would re-publish replay-dlq-0@1 -> replay-traces key=k1 reason: " + UNKNOWN_ID,
                "skipped replay-dlq-0@2: an error record standing for a trace over the size limit; the trace itself"
                        + " stays in replay-traces at partition 0 offset 42 (nothing to replay)",
                "would re-publish replay-dlq-0@3 -> replay-traces key=k3 reason: " + UNKNOWN_ID,
                "would re-publish 2, skipped 1 of 3 chosen dead letter(s)");
        assertThat(TopicReader.readToEnd(broker.bootstrapServers(), SOURCE, 0)).isEmpty();
    }

    @Test
    void replayByReasonSendsKeyAndValueUnchangedWithoutTheServiceHeadersToTheNamedTopic() {
        String out = run(0, "--reason", "unknown schema id 7", "--to", "replay-other");

        assertThat(out.lines()).hasSize(4).last().isEqualTo("re-published 3, skipped 0 of 3 chosen dead letter(s)");
        List<ConsumerRecord<byte[], byte[]>> sent = TopicReader.readToEnd(broker.bootstrapServers(), "replay-other", 3);
        assertThat(sent).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("k1", "k3", "k4");
        assertThat(sent).extracting(ConsumerRecord::value).containsExactly(new byte[] {0, 0, 0, 0, 7, 1},
                new byte[] {0, 0, 0, 0, 7, 3}, new byte[] {0, 0, 0, 0, 7, 4});
        assertThat(sent).allSatisfy(r -> assertThat(r.headers().toArray()).extracting(Header::key)
                .containsExactly("app"));
    }

    @Test
    void aLetterWithoutItsSourceTopicIsSkippedUnlessToNamesOne() {
        String out = run(0, "--partition", "0", "--from-offset", "4", "--dry-run");

        assertThat(out.lines()).containsExactly("skipped replay-dlq-0@4: no " + DeadLetters.SOURCE_TOPIC
                + " header; name a topic with --to", "would re-publish 0, skipped 1 of 1 chosen dead letter(s)");
    }

    @Test
    void offsetsWithoutAPartitionAreRefused() {
        assertThat(run(2, "--from-offset", "1")).contains("--from-offset and --to-offset need --partition");
    }
}
