package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import dev.tracemonitor.topology.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 MB trace and a 12 MB record in {@code traces} (a topic that accepts them; the service's own topics and producer
 * keep Kafka's defaults, exactly-once on) are dead-lettered as small error records, and the traces after them on the
 * same partition are processed: no record can stop the pipeline by being too large to write again.
 */
class OversizedRecordsTest {

    private static final int SIXTEEN_MIB = 16 * 1024 * 1024;
    private static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "big",
             "assessments_config": {"sample": 1.0, "assessments": [{"name": "safety"}]}}""";

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @Test
    void twoAndTwelveMegabyteRecordsAreDeadLetteredAndEveryRecordAfterThemIsProcessed() throws Exception {
        Topics topics = Topics.defaults();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topics.traces(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(SIXTEEN_MIB))))).all().get();
        }
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "-1");

        byte[] twoMegabyteTrace = TestTraces.chat("t-2mb", "42", "Summarise this log.", "x".repeat(2_000_000));
        byte[] twelveMegabytes = new byte[12_000_000];
        new Random(7).nextBytes(twelveMegabytes);
        try (TraceMonitorService service = new TraceMonitorService(ServiceConfig.of(props), new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.MAX_REQUEST_SIZE_CONFIG, SIXTEEN_MIB,
                     ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * SIXTEEN_MIB),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            service.start();
            producer.send(new ProducerRecord<>(topics.monitorConfig(), TestTraces.utf8("42"), TestTraces.utf8(MONITOR))).get();
            ConsumerRecord<byte[], byte[]> status =
                    TopicReader.readToEnd(broker.bootstrapServers(), topics.monitorStatus(), 1).get(0);
            assertThat(MonitorStatus.decode(status.value()).status()).isEqualTo(MonitorStatus.ACCEPTED);

            send(producer, topics.traces(), "t-before", TestTraces.chat("t-before", "42", "What is Kafka?", "A log."));
            send(producer, topics.traces(), "t-2mb", twoMegabyteTrace);
            send(producer, topics.traces(), "t-12mb", twelveMegabytes);
            send(producer, topics.traces(), "t-after", TestTraces.chat("t-after", "42", "What is Delta?", "A table format."));

            List<ConsumerRecord<byte[], byte[]>> assessed =
                    TopicReader.readToEnd(broker.bootstrapServers(), topics.assessed(), 2);
            assertThat(assessed).extracting(r -> TraceJsonCodec.decode(r.value()).traceId())
                    .containsExactly("t-before", "t-after");

            List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.readToEnd(broker.bootstrapServers(), topics.dlq(), 2);
            assertThat(dead).hasSize(2);
            assertThat(dead).allSatisfy(r -> assertThat(r.serializedValueSize()).isLessThan(512));
            JsonNode first = Json.MAPPER.readTree(dead.get(0).value());
            JsonNode second = Json.MAPPER.readTree(dead.get(1).value());
            assertThat(first.get("offset").asLong()).isEqualTo(1);
            assertThat(first.get("size_bytes").asLong()).isEqualTo(twoMegabyteTrace.length + "t-2mb".length());
            assertThat(second.get("offset").asLong()).isEqualTo(2);
            assertThat(second.get("size_bytes").asLong()).isEqualTo(twelveMegabytes.length + "t-12mb".length());
            assertThat(DeadLetters.header(dead.get(1).headers(), DeadLetters.ERROR_REASON))
                    .contains("exceeds the trace limit of 983040 bytes")
                    .contains("it stays in traces at partition 0 offset 2");
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, TestTraces.utf8(key), value)).get();
    }
}
