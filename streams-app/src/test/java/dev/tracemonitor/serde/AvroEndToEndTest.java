package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same traces through two services on a real broker: one reading MLflow JSON, one reading Avro in the Confluent
 * framing (with a local registry) and writing its feedback as Avro.
 */
class AvroEndToEndTest {

    private static final int TRACES = 40;
    private static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "formats",
             "assessments_config": {"sample": 1.0, "assessments": [
               {"name": "safety"}, {"name": "groundedness"}, {"name": "chunk_relevance"}]}}""";

    @TempDir
    static Path dir;

    private static KafkaClusterTestKit cluster;
    private static FakeSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestBroker.start();
        registry = FakeSchemaRegistry.start();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        cluster.close();
    }

    private static ServiceConfig config(String name, String format) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, name);
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, name + "-sink");
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve(name + "-warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        props.put(ServiceConfig.FORMAT_TRACES_CONFIG, format);
        props.put(ServiceConfig.FORMAT_FEEDBACK_CONFIG, format);
        props.put("schema.registry.url", registry.url());
        for (String topic : List.of("traces", "monitor-config", "monitor-status", "feedback", "assessed", "dlq")) {
            props.put("trace-monitor.topic." + topic, name + "-" + topic);
        }
        return ServiceConfig.of(props);
    }

    @Test
    void avroAndJsonTracesGiveIdenticalRowsAndAssessmentsAndAvroFeedbackReadsWithAPlainReader() throws Exception {
        List<DemoRecord> records = new DemoTraces(11, "42", 1_760_000_000_000L).generate(TRACES, 0);
        ServiceConfig json = config("json", "json");
        ServiceConfig avro = config("avro", "avro");
        int traceSchemaId = registry.preRegister("avro-traces-value", AvroTraceCodec.SCHEMA);

        try (TraceMonitorService jsonService = new TraceMonitorService(json, new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
             TraceMonitorService avroService = new TraceMonitorService(avro, new ScriptedJudgeBackend(),
                     TraceMonitorMetrics.inMemory());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            jsonService.start();
            avroService.start();
            for (ServiceConfig c : List.of(json, avro)) {
                producer.send(new ProducerRecord<>(c.topics().monitorConfig(), "42", TestTraces.utf8(MONITOR))).get();
            }
            awaitMonitorApplied(producer, json);
            awaitMonitorApplied(producer, avro);
            for (DemoRecord record : records) {
                Trace trace = TraceJsonCodec.decode(record.value());
                producer.send(new ProducerRecord<>(json.topics().traces(), record.key(), record.value()));
                producer.send(new ProducerRecord<>(avro.topics().traces(), record.key(),
                        AvroTestSupport.confluentFrame(traceSchemaId, AvroTraceCodec.SCHEMA,
                                AvroTraceCodec.toRecord(trace))));
            }
            producer.flush();
            List<String> ids = records.stream().map(DemoRecord::key).toList();
            await().atMost(Duration.ofMinutes(2)).until(() -> tableIds(json).containsAll(ids) && tableIds(avro).containsAll(ids));

            try (TopicCollector<Trace> jsonAssessed = new TopicCollector<>(cluster.bootstrapServers(),
                    json.topics().assessed(), TraceJsonCodec::decode);
                 TopicCollector<Trace> avroAssessed = new TopicCollector<>(cluster.bootstrapServers(),
                         avro.topics().assessed(), TraceJsonCodec::decode);
                 TopicCollector<byte[]> avroFeedback = new TopicCollector<>(cluster.bootstrapServers(),
                         avro.topics().feedback(), bytes -> bytes)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id ->
                        !jsonAssessed.get(id).isEmpty() && !avroAssessed.get(id).isEmpty()));
                assertThat(tableIds(avro)).containsExactlyInAnyOrderElementsOf(tableIds(json));
                for (String id : ids) {
                    Trace fromJson = jsonAssessed.get(id).get(0);
                    Trace fromAvro = avroAssessed.get(id).get(0);
                    assertThat(withoutTimes(fromAvro)).as(id).isEqualTo(withoutTimes(fromJson));
                    assertThat(fromAvro.info().assessments()).isNotEmpty();
                }

                await().atMost(Duration.ofSeconds(30)).until(() -> !avroFeedback.all().isEmpty());
                byte[] framed = avroFeedback.all().values().iterator().next().get(0);
                assertThat(framed[0]).isZero();
                int id = ByteBuffer.wrap(framed, 1, 4).getInt();
                Schema schema = new Schema.Parser().parse(schemaText(id));
                GenericRecord plain = new GenericDatumReader<GenericRecord>(schema).read(null,
                        DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, null));
                assertThat(plain.get("assessment_name").toString()).isIn("safety", "groundedness", "chunk_relevance",
                        "chunk_relevance/precision");
                assertThat(plain.get("trace_id").toString()).isIn(ids);

                String assessmentsTable = dev.tracemonitor.sink.SinkTableKind.TRACE_ASSESSMENTS.path(
                        new TableAddress("main", "formats", "42"), avro.getString(ServiceConfig.WAREHOUSE_CONFIG));
                long feedbackRecords = avroFeedback.all().values().stream().mapToLong(List::size).sum();
                await().atMost(Duration.ofSeconds(30)).until(() -> DeltaTableStats.read(DefaultEngine.create(
                        new Configuration()), assessmentsTable).map(DeltaTableStats::rows).orElse(0L) == feedbackRecords);
            }
        }
    }

    private static void awaitMonitorApplied(KafkaProducer<String, byte[]> producer, ServiceConfig config) {
        List<String> probes = new ArrayList<>();
        try (TopicCollector<Trace> assessed = new TopicCollector<>(cluster.bootstrapServers(), config.topics().assessed(),
                TraceJsonCodec::decode)) {
            await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> {
                String probe = "probe-" + config.getString(ServiceConfig.APPLICATION_ID_CONFIG) + "-" + probes.size();
                probes.add(probe);
                Trace trace = TraceJsonCodec.decode(TestTraces.chat(probe, "42", "q", "a"));
                byte[] value = config.getString(ServiceConfig.FORMAT_TRACES_CONFIG).equals("avro")
                        ? AvroTestSupport.confluentFrame(registry.preRegister(config.topics().traces() + "-value",
                        AvroTraceCodec.SCHEMA), AvroTraceCodec.SCHEMA, AvroTraceCodec.toRecord(trace))
                        : TraceJsonCodec.encode(trace);
                producer.send(new ProducerRecord<>(config.topics().traces(), probe, value)).get();
                return probes.stream().anyMatch(p -> !assessed.get(p).isEmpty());
            });
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String schemaText(int id) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(registry.url() + "/schemas/ids/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(response.body());
        return body.get("schema").asText();
    }

    private static Trace withoutTimes(Trace trace) {
        List<Assessment> stable = trace.info().assessments().stream().map(a -> new Assessment(a.assessmentId(),
                a.assessmentName(), a.traceId(), a.spanId(), a.source(), 0, 0, a.feedback(), a.rationale(),
                a.metadata().entrySet().stream().filter(e -> !e.getKey().equals("trace_monitor.config_version"))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))))
                .sorted(java.util.Comparator.comparing(Assessment::assessmentId)).toList();
        return trace.withAssessments(stable);
    }

    private static List<String> tableIds(ServiceConfig config) {
        String path = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "formats", "42"),
                config.getString(ServiceConfig.WAREHOUSE_CONFIG));
        return DeltaTableStats.read(DefaultEngine.create(new Configuration()), path).map(DeltaTableStats::traceIds)
                .orElse(List.of()).stream().filter(id -> !id.startsWith("probe-")).toList();
    }
}
