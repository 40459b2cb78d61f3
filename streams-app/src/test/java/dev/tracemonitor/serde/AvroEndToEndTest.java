package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Trace;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();
    private static FakeSchemaRegistry registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = FakeSchemaRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    private static ServiceConfig config(String name, String format) {
        Properties props = AvroTestSupport.serviceProps(broker.bootstrapServers(), dir, name, registry.url());
        props.put(ServiceConfig.FORMAT_TRACES_CONFIG, format);
        props.put(ServiceConfig.FORMAT_FEEDBACK_CONFIG, format);
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
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            jsonService.start();
            avroService.start();
            AvroTestSupport.awaitMonitorApplied(broker.bootstrapServers(), producer, json, MONITOR,
                    id -> TestTraces.chat(id, "42", "q", "a"));
            int probeSchemaId = registry.preRegister(avro.topics().traces() + "-value", AvroTraceCodec.SCHEMA);
            AvroTestSupport.awaitMonitorApplied(broker.bootstrapServers(), producer, avro, MONITOR,
                    id -> AvroTestSupport.avroChat(probeSchemaId, AvroTraceCodec.SCHEMA, id));
            for (DemoRecord record : records) {
                Trace trace = TraceJsonCodec.decode(record.value());
                producer.send(new ProducerRecord<>(json.topics().traces(), record.key(), record.value()));
                producer.send(new ProducerRecord<>(avro.topics().traces(), record.key(),
                        AvroTestSupport.confluentFrame(traceSchemaId, AvroTraceCodec.SCHEMA,
                                AvroTraceCodec.toRecord(trace))));
            }
            producer.flush();
            List<String> ids = records.stream().map(DemoRecord::key).toList();
            List<List<String>> tables = await().atMost(Duration.ofMinutes(2)).until(
                    () -> List.of(tableIds(json), tableIds(avro)),
                    t -> t.get(0).containsAll(ids) && t.get(1).containsAll(ids));

            try (TopicCollector<Trace> jsonAssessed = new TopicCollector<>(broker.bootstrapServers(),
                    json.topics().assessed(), TraceJsonCodec::decode);
                 TopicCollector<Trace> avroAssessed = new TopicCollector<>(broker.bootstrapServers(),
                         avro.topics().assessed(), TraceJsonCodec::decode);
                 TopicCollector<byte[]> avroFeedback = new TopicCollector<>(broker.bootstrapServers(),
                         avro.topics().feedback(), bytes -> bytes)) {
                assertThat(tables.get(1)).as("avro table").containsExactlyInAnyOrderElementsOf(tables.get(0));
                Map<String, List<Trace>> firstOfEach = await().atMost(Duration.ofSeconds(30))
                        .until(() -> firstRecords(ids, jsonAssessed, avroAssessed), m -> m.size() == ids.size());
                for (String id : ids) {
                    Trace fromJson = firstOfEach.get(id).get(0);
                    Trace fromAvro = firstOfEach.get(id).get(1);
                    assertThat(withoutTimes(fromAvro)).as(id).isEqualTo(withoutTimes(fromJson));
                    assertThat(fromAvro.info().assessments()).isNotEmpty();
                }

                byte[] framed = await().atMost(Duration.ofSeconds(30)).until(
                        () -> avroFeedback.all().values().stream().findFirst(), Optional::isPresent).orElseThrow().get(0);
                assertThat(framed[0]).isZero();
                int id = ByteBuffer.wrap(framed, 1, 4).getInt();
                Schema schema = new Schema.Parser().parse(schemaText(id));
                GenericRecord plain = new GenericDatumReader<GenericRecord>(schema).read(null,
                        DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, null));
                assertThat(plain.get("assessment_name").toString()).isIn("safety", "groundedness", "chunk_relevance",
                        "chunk_relevance/precision");
                assertThat(plain.get("trace_id").toString()).isIn(ids);

                String assessmentsTable = SinkTableKind.TRACE_ASSESSMENTS.path(
                        new TableAddress("main", "formats", "42"), avro.getString(ServiceConfig.WAREHOUSE_CONFIG));
                // every Avro Assessment lands in the table: wait until the table and the topic agree
                await().atMost(Duration.ofSeconds(30)).until(() -> DeltaTableStats.read(DefaultEngine.create(
                        new Configuration()), assessmentsTable).map(DeltaTableStats::rows).orElse(0L)
                        == avroFeedback.all().values().stream().mapToLong(List::size).sum());
            }
        }
    }

    /** For each trace id, its first record on the JSON service's traces-assessed, then on the Avro one's. */
    private static Map<String, List<Trace>> firstRecords(List<String> ids, TopicCollector<Trace> json,
                                                         TopicCollector<Trace> avro) {
        Map<String, List<Trace>> first = new HashMap<>();
        for (String id : ids) {
            List<Trace> fromJson = json.get(id);
            List<Trace> fromAvro = avro.get(id);
            if (!fromJson.isEmpty() && !fromAvro.isEmpty()) {
                first.put(id, List.of(fromJson.get(0), fromAvro.get(0)));
            }
        }
        return first;
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
        return AvroTestSupport.tableIds(config, "formats").stream().filter(id -> !id.startsWith("probe-")).toList();
    }
}
