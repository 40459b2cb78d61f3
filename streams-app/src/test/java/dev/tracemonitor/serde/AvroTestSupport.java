package dev.tracemonitor.serde;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What a Confluent producer does, done by hand with plain Avro; the contract schemas; a realistic trace; and for the
 * tests that run the service on Avro traces, its settings, the wait until a monitor is applied and the table's ids.
 */
final class AvroTestSupport {

    static final Path SCHEMAS = Path.of("..", "schemas");

    private AvroTestSupport() {
    }

    static Schema contractSchema(String file) {
        try {
            return new Schema.Parser().parse(SCHEMAS.resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The contract schema as JSON, changed by {@code edit}, then parsed: an older or newer version of it. */
    static Schema editedSchema(String file, Consumer<ObjectNode> edit) {
        try {
            ObjectNode root = (ObjectNode) Json.MAPPER.readTree(SCHEMAS.resolve(file).toFile());
            edit.accept(root);
            return new Schema.Parser().parse(root.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fields array of the record reached by following field names from the root, e.g. "info". */
    static ArrayNode fields(ObjectNode root, String... path) {
        JsonNode node = root;
        for (String name : path) {
            for (JsonNode field : node.get("fields")) {
                if (field.get("name").asText().equals(name)) {
                    node = field.get("type");
                    break;
                }
            }
        }
        return (ArrayNode) node.get("fields");
    }

    static void removeField(ArrayNode fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals(name)) {
                fields.remove(i);
                return;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    /** Magic byte, big-endian id, Avro binary: the bytes Confluent's KafkaAvroSerializer writes. */
    static byte[] confluentFrame(int schemaId, Schema writer, GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
        out.writeBytes(avroBinary(writer, record));
        return out.toByteArray();
    }

    static byte[] avroBinary(Schema writer, GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code record} (of {@code from}) as a record of {@code to}, by Avro schema resolution. */
    static GenericRecord convert(GenericRecord record, Schema from, Schema to) {
        try {
            return new GenericDatumReader<GenericRecord>(from, to)
                    .read(null, DecoderFactory.get().binaryDecoder(avroBinary(from, record), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The RAG trace of the judges' tests, with what a trace on traces-assessed also carries: assessments of each value
     * kind (text, number, error, human) and a span event.
     */
    static byte[] realisticTraceJson() {
        try (InputStream in = AvroTestSupport.class.getResourceAsStream("/judges-rag-trace.json")) {
            ObjectNode root = (ObjectNode) Json.MAPPER.readTree(in);
            ObjectNode info = (ObjectNode) root.get("info");
            String traceId = info.get("trace_id").asText();
            ArrayNode assessments = info.putArray("assessments");
            assessments.add(assessment(traceId, "relevance_to_query", null, "LLM_JUDGE", "relevance_to_query")
                    .put("rationale", "The answer addresses the return window.")
                    .set("feedback", Json.MAPPER.createObjectNode().put("value", "yes")));
            assessments.add(assessment(traceId, "chunk_relevance/precision", "span-retriever", "LLM_JUDGE", "chunk_relevance")
                    .set("feedback", Json.MAPPER.createObjectNode().put("value", 0.75)));
            ObjectNode failed = assessment(traceId, "safety", null, "LLM_JUDGE", "safety");
            failed.putObject("feedback").putObject("error").put("error_code", "JUDGE_TIMEOUT")
                    .put("error_message", "no answer within 30s after 4 attempts");
            assessments.add(failed);
            assessments.add(assessment(traceId, "thumbs", null, "HUMAN", "alice@example.com")
                    .set("feedback", Json.MAPPER.createObjectNode().put("value", false)));
            ObjectNode span = (ObjectNode) root.get("data").get("spans").get(1);
            ObjectNode event = span.putArray("events").addObject();
            event.put("name", "exception").put("time_unix_nano", 1_748_772_931_000_000_000L);
            event.putObject("attributes").put("exception.type", "TimeoutError").put("exception.message", "retrying");
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode assessment(String traceId, String name, String spanId, String sourceType, String sourceId) {
        ObjectNode a = Json.MAPPER.createObjectNode();
        a.put("assessment_id", dev.tracemonitor.model.Assessment.deterministicId(traceId, name, spanId));
        a.put("assessment_name", name).put("trace_id", traceId);
        if (spanId != null) {
            a.put("span_id", spanId);
        }
        a.putObject("source").put("source_type", sourceType).put("source_id", sourceId);
        a.put("create_time", "2025-06-01T10:15:40.000Z").put("last_update_time", "2025-06-01T10:15:41.500Z");
        a.putObject("metadata").put("judge.version", "1");
        return a;
    }

    /**
     * A service named {@code name} on the broker, with topics, state and warehouse of its own under {@code dir}, a
     * 2 s flush and the registry at {@code registryUrl}; formats are left to the caller.
     */
    static Properties serviceProps(String bootstrap, Path dir, String name, String registryUrl) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, name);
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, name + "-sink");
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve(name + "-warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        props.put("schema.registry.url", registryUrl);
        for (String topic : List.of("traces", "monitor-config", "monitor-status", "feedback", "assessed", "dlq")) {
            props.put("trace-monitor.topic." + topic, name + "-" + topic);
        }
        return props;
    }

    /** {@link TestTraces#chat} of experiment 42 as an Avro record framed with {@code schemaId}, written by {@code writer}. */
    static byte[] avroChat(int schemaId, Schema writer, String traceId) {
        Trace trace = TraceJsonCodec.decode(TestTraces.chat(traceId, "42", "What is Kafka?", "A log."));
        return confluentFrame(schemaId, writer, AvroTraceCodec.toRecord(trace));
    }

    /**
     * Publishes {@code monitor} for experiment 42 and sends probe traces ({@code probe(id)} gives a probe's value) one
     * a second until one reaches traces-assessed: from then on the monitor is in force.
     */
    static void awaitMonitorApplied(String bootstrap, KafkaProducer<String, byte[]> producer, ServiceConfig config,
                                    String monitor, Function<String, byte[]> probe) throws Exception {
        producer.send(new ProducerRecord<>(config.topics().monitorConfig(), "42", TestTraces.utf8(monitor))).get();
        List<String> probes = new ArrayList<>();
        try (TopicCollector<Trace> assessed = new TopicCollector<>(bootstrap, config.topics().assessed(),
                TraceJsonCodec::decode)) {
            await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> {
                String id = "probe-" + config.getString(ServiceConfig.APPLICATION_ID_CONFIG) + "-" + probes.size();
                probes.add(id);
                producer.send(new ProducerRecord<>(config.topics().traces(), id, probe.apply(id))).get();
                return probes.stream().anyMatch(p -> !assessed.get(p).isEmpty());
            });
        }
    }

    /** Every trace id in experiment 42's trace_logs table of schema {@code schema}, probes and duplicates included. */
    static List<String> tableIds(ServiceConfig config, String schema) {
        String path = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", schema, "42"),
                config.getString(ServiceConfig.WAREHOUSE_CONFIG));
        return DeltaTableStats.read(DefaultEngine.create(new Configuration()), path).map(DeltaTableStats::traceIds)
                .orElse(List.of());
    }

    static SchemaRegistrySettings fastRetries(String url, int maxRetries) {
        return SchemaRegistrySettings.of(url).withRetries(maxRetries, Duration.ofMillis(10), Duration.ofMillis(40));
    }
}
