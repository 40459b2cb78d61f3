package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.TraceLogsSchema;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import dev.tracemonitor.otlp.OtlpEncoding;
import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ConsumedOffsets;
import dev.tracemonitor.testing.OtelApp;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 19, done-when 1 and 2: an app instrumented with the OpenTelemetry Java SDK, its spans marshalled by the SDK's
 * own OTLP code into Collector-style messages (several batches per trace, shuffled, on all partitions, unkeyed as
 * without {@code partition_traces_by_id}), in {@code otlp_proto} and in {@code otlp_json}; the whole service on a real
 * broker turns them into one Delta row per trace with the request, response, span tree and judges' Assessments, and
 * the retrieved documents reach the judges.
 */
class OtlpInputEndToEndTest {

    private static final int TRACES = 24;
    private static final int PARTITIONS = 3;

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @ParameterizedTest
    @EnumSource(OtlpEncoding.class)
    void spansOfAnInstrumentedAppBecomeOneRowPerTraceWithItsTextSpanTreeAndAssessments(OtlpEncoding encoding)
            throws Exception {
        String run = encoding.configName().replace('_', '-');
        String experiment = encoding == OtlpEncoding.OTLP_PROTO ? "1901" : "1902";
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, "otlp-" + run);
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, "otlp-sink-" + run);
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve(run).resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve(run).resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "-1");
        for (String key : List.of(ServiceConfig.TOPIC_TRACES_CONFIG, ServiceConfig.TOPIC_MONITOR_CONFIG_CONFIG,
                ServiceConfig.TOPIC_MONITOR_STATUS_CONFIG, ServiceConfig.TOPIC_FEEDBACK_CONFIG,
                ServiceConfig.TOPIC_ASSESSED_CONFIG, ServiceConfig.TOPIC_DLQ_CONFIG,
                ServiceConfig.TOPIC_OTLP_SPANS_CONFIG)) {
            props.put(key, key.substring("trace-monitor.topic.".length()) + "-" + run);
        }
        props.put(ServiceConfig.TOPIC_OTLP_CONFIG, "otlp_spans-" + run);
        props.put(ServiceConfig.FORMAT_OTLP_CONFIG, encoding.configName());
        props.put(ServiceConfig.OTLP_QUIET_PERIOD_CONFIG, "PT2S");
        props.put(ServiceConfig.TOPIC_PARTITIONS_CONFIG, Integer.toString(PARTITIONS));
        ServiceConfig config = ServiceConfig.of(props);
        var topics = config.topics();
        String monitor = """
                {"experiment_id": "%s", "catalog_name": "main", "schema_name": "otlp",
                 "assessments_config": {"sample": 1.0, "assessments": [
                   {"name": "safety"}, {"name": "groundedness"}, {"name": "chunk_relevance"}]}}""".formatted(experiment);

        Map<String, OtelApp.Request> requests = new HashMap<>();
        // the roots of the even traces come last, once everything else has been read: those traces must be held
        // until their root comes; the other traces' spans are shuffled with their roots, some before their children
        List<byte[]> first;
        List<byte[]> roots;
        try (OtelApp app = new OtelApp(experiment)) {
            List<String> heldForRoot = new ArrayList<>();
            for (int i = 0; i < TRACES; i++) {
                OtelApp.Request request = app.serve(i);
                requests.put("tr-" + request.traceId(), request);
                if (i % 2 == 0) {
                    heldForRoot.add(request.rootSpanId());
                }
            }
            assertThat(app.spans()).hasSize(3 * TRACES);
            boolean json = encoding == OtlpEncoding.OTLP_JSON;
            Random random = new Random(19);
            first = OtelApp.messages(app.spans().stream()
                    .filter(s -> !heldForRoot.contains(s.getSpanId())).toList(), json, 5, random);
            roots = OtelApp.messages(app.spans().stream()
                    .filter(s -> heldForRoot.contains(s.getSpanId())).toList(), json, 3, random);
        }
        assertThat(first.size() + roots.size()).as("several messages per trace").isGreaterThan(TRACES);

        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            service.start();
            producer.send(new ProducerRecord<>(topics.monitorConfig(), TestTraces.utf8(experiment),
                    TestTraces.utf8(monitor))).get();
            assertThat(MonitorStatus.decode(TopicReader.readToEnd(broker.bootstrapServers(), topics.monitorStatus(), 1)
                    .get(0).value()).status()).isEqualTo(MonitorStatus.ACCEPTED);

            Random partitions = new Random(7);
            for (byte[] message : first) {
                producer.send(new ProducerRecord<>(topics.otlp(), partitions.nextInt(PARTITIONS), null, message));
            }
            producer.send(new ProducerRecord<>(topics.otlp(), 0, null, TestTraces.utf8("not an OTLP message")));
            producer.flush();
            String group = config.getString(ServiceConfig.APPLICATION_ID_CONFIG);
            ConsumedOffsets.awaitCommitted(broker.clientProperties(), group, topics.otlp(), topics.otlpSpans());
            for (byte[] message : roots) {
                producer.send(new ProducerRecord<>(topics.otlp(), partitions.nextInt(PARTITIONS), null, message));
            }
            producer.flush();

            await().atMost(Duration.ofMinutes(2)).until(() -> service.sink().stats().rowsCommitted() >= TRACES);
        }

        List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.readToEnd(broker.bootstrapServers(), topics.dlq(), 1);
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualTo(TestTraces.utf8("not an OTLP message"));
            assertThat(DeadLetters.header(r.headers(), DeadLetters.ERROR_REASON)).startsWith("not ");
            assertThat(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(topics.otlp());
        });

        String table = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "otlp", experiment),
                dir.resolve(run).resolve("warehouse").toString());
        DeltaTableStats stats = DeltaTableStats.read(DefaultEngine.create(new Configuration()), table).orElseThrow();
        assertThat(stats.traceIds()).as("one row per trace").containsExactlyInAnyOrderElementsOf(requests.keySet());
        int traceId = TraceLogsSchema.SCHEMA.indexOf("trace_id");
        int request = TraceLogsSchema.SCHEMA.indexOf("request");
        int response = TraceLogsSchema.SCHEMA.indexOf("response");
        int spans = TraceLogsSchema.SCHEMA.indexOf("spans");
        int assessments = TraceLogsSchema.SCHEMA.indexOf("assessments");
        int inputTokens = TraceLogsSchema.SCHEMA.indexOf("input_tokens");
        List<String> checked = new ArrayList<>();
        stats.forEachRow(row -> {
            String id = row.getString(traceId);
            OtelApp.Request sent = requests.get(id);
            assertThat(row.getString(request)).isEqualTo(sent.question());
            assertThat(row.getString(response)).isEqualTo(sent.answer());
            assertThat(row.getLong(inputTokens)).isEqualTo(40L + Integer.parseInt(sent.question().replaceAll("\\D", "")));
            ArrayValue spanArray = row.getArray(spans);
            ColumnVector elements = spanArray.getElements();
            Map<String, String> parentByName = new HashMap<>();
            Map<String, String> typeByName = new HashMap<>();
            for (int i = 0; i < spanArray.getSize(); i++) {
                String name = elements.getChild(2).getString(i);
                parentByName.put(name, elements.getChild(1).isNullAt(i) ? null : elements.getChild(1).getString(i));
                typeByName.put(name, elements.getChild(3).isNullAt(i) ? null : elements.getChild(3).getString(i));
            }
            Map<String, String> tree = new HashMap<>();
            tree.put("rag-app.answer", null);
            tree.put("retrieve", sent.rootSpanId());
            tree.put("chat gpt-4o-mini", sent.rootSpanId());
            assertThat(parentByName).as("span tree of %s", id).isEqualTo(tree);
            assertThat(typeByName).containsEntry("retrieve", "RETRIEVER").containsEntry("chat gpt-4o-mini", "CHAT_MODEL");
            ArrayValue assessmentArray = row.getArray(assessments);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < assessmentArray.getSize(); i++) {
                names.add(assessmentArray.getElements().getChild(1).getString(i));
            }
            // chunk_relevance: one verdict per retrieved document and the precision
            assertThat(names).as("assessments of %s", id).containsExactlyInAnyOrder("safety", "groundedness",
                    "chunk_relevance", "chunk_relevance", "chunk_relevance/precision");
            checked.add(id);
        });
        assertThat(checked).hasSize(TRACES);

        List<ConsumerRecord<byte[], byte[]>> assessed = TopicReader.readToEnd(broker.bootstrapServers(),
                topics.assessed(), TRACES);
        assertThat(assessed).hasSize(TRACES);
        for (ConsumerRecord<byte[], byte[]> record : assessed) {
            Trace trace = TraceJsonCodec.decode(record.value());
            OtelApp.Request sent = requests.get(trace.traceId());
            assertThat(trace.info().experimentId()).isEqualTo(experiment);
            assertThat(TraceText.topLevelRetrievals(trace)).singleElement().satisfies(call ->
                    assertThat(call.documents()).extracting(RetrievedDocument::pageContent)
                            .containsExactlyElementsOf(sent.documents()));
            assertThat(trace.spans()).extracting(Span::traceId).containsOnly(sent.traceId());
        }
    }
}
