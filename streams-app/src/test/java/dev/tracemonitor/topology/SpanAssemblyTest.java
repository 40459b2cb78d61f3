package dev.tracemonitor.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.otlp.OtlpEncoding;
import dev.tracemonitor.otlp.OtlpExperiments;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.serde.JsonAssessmentEncoder;
import dev.tracemonitor.serde.JsonTraceDecoder;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestTraces;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OTLP assembly rule on the topology, with the driver's wall clock: when a held trace is emitted, and what is not. */
class SpanAssemblyTest {

    private static final Duration QUIET = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofMinutes(5);
    private static final int MAX_SPANS = 4;
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String MONITOR = """
            {"experiment_id": "7", "catalog_name": "main", "schema_name": "mon",
             "assessments_config": {"sample": 0.0, "assessments": [{"name": "safety"}]}}""";

    @TempDir
    Path stateDir;

    private final Topics topics = Topics.defaults().withOtlp("otlp_spans");
    private final TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
    private ScoringEngine engine;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> otlp;
    private TestOutputTopic<String, byte[]> assessed;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeEach
    void start() {
        start(OtlpSettings.Unmapped.DEAD_LETTER);
    }

    private void start(OtlpSettings.Unmapped unmapped) {
        engine = new ScoringEngine(new ScoringEngine.Settings(2, 1, Duration.ofMillis(1), Duration.ofMillis(5)), metrics);
        var topology = TraceMonitorTopology.build(topics, TraceMonitorTopology.Settings.defaults(), engine,
                new JudgeFactory(new ScriptedJudgeBackend()), metrics, new JsonTraceDecoder(), new JsonAssessmentEncoder(),
                new OtlpSettings(OtlpEncoding.OTLP_PROTO, OtlpExperiments.byAttribute(), QUIET, MAX_WAIT, MAX_SPANS,
                        unmapped));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "assembly-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props);
        driver.createInputTopic(topics.monitorConfig(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput("7", TestTraces.utf8(MONITOR));
        otlp = driver.createInputTopic(topics.otlp(), new ByteArraySerializer(), new ByteArraySerializer());
        assessed = driver.createOutputTopic(topics.assessed(), new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        engine.close();
    }

    @Test
    void childrenAreHeldUntilTheRootHasComeAndTheQuietPeriodHasPassed() {
        otlp.pipeInput(request(span(TRACE, "02", "01", "retrieve")));
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        otlp.pipeInput(request(span(TRACE, "03", "01", "llm")));
        driver.advanceWallClockTime(QUIET.multipliedBy(2));
        assertThat(assessed.isEmpty()).as("no root yet: held").isTrue();

        otlp.pipeInput(request(span(TRACE, "01", null, "root")));
        driver.advanceWallClockTime(QUIET.minusSeconds(2));
        assertThat(assessed.isEmpty()).as("within the quiet period").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(3));

        Trace trace = TraceJsonCodec.decode(assessed.readValue());
        assertThat(trace.traceId()).isEqualTo("tr-" + TRACE);
        assertThat(trace.spans()).extracting(dev.tracemonitor.model.Span::name)
                .containsExactlyInAnyOrder("retrieve", "llm", "root");
        assertThat(assessed.isEmpty()).isTrue();
    }

    @Test
    void aSpanOfTheTraceDuringTheQuietPeriodStartsItAgain() {
        otlp.pipeInput(request(span(TRACE, "01", null, "root")));
        driver.advanceWallClockTime(QUIET.minusSeconds(5));
        otlp.pipeInput(request(span(TRACE, "02", "01", "child")));
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertThat(assessed.isEmpty()).as("the child restarted the quiet period").isTrue();
        driver.advanceWallClockTime(QUIET);

        assertThat(TraceJsonCodec.decode(assessed.readValue()).spans()).hasSize(2);
    }

    @Test
    void aTraceWhoseRootNeverComesIsEmittedAtTheMaximumWait() {
        otlp.pipeInput(request(span(TRACE, "02", "01", "orphan")));
        driver.advanceWallClockTime(MAX_WAIT.minusSeconds(2));
        assertThat(assessed.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(3));

        assertThat(TraceJsonCodec.decode(assessed.readValue()).spans()).singleElement()
                .satisfies(s -> assertThat(s.name()).isEqualTo("orphan"));
    }

    @Test
    void aSpanAfterItsTraceWasEmittedIsEmittedAgainWithTheWholeTraceAsATaggedLateUpdate() {
        otlp.pipeInput(request(span(TRACE, "01", null, "root")));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        assertThat(TraceJsonCodec.decode(assessed.readValue()).info().tags())
                .doesNotContainKey(SpanAssemblyProcessor.LATE_UPDATE_TAG);

        otlp.pipeInput(request(span(TRACE, "02", "01", "straggler")));
        driver.advanceWallClockTime(QUIET.minusSeconds(2));
        assertThat(assessed.isEmpty()).as("the update waits for the quiet period").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        Trace update = TraceJsonCodec.decode(assessed.readValue());
        assertThat(update.spans()).extracting(dev.tracemonitor.model.Span::name)
                .containsExactlyInAnyOrder("root", "straggler");
        assertThat(update.info().tags()).containsEntry(SpanAssemblyProcessor.LATE_UPDATE_TAG, "1");

        otlp.pipeInput(request(span(TRACE, "03", "01", "later still")));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        Trace second = TraceJsonCodec.decode(assessed.readValue());
        assertThat(second.spans()).hasSize(3);
        assertThat(second.info().tags()).containsEntry(SpanAssemblyProcessor.LATE_UPDATE_TAG, "2");
        assertThat(assessed.isEmpty()).isTrue();
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(metrics.count("otlp.late.updates")).isEqualTo(2.0);
    }

    @Test
    void anEmittedTracesPartsAreForgottenAfterTheMaximumWait() {
        otlp.pipeInput(request(span(TRACE, "01", null, "root")));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        assertThat(entries(TraceMonitorTopology.OTLP_PARTS_STORE)).as("kept for a late update").isEqualTo(1);
        driver.advanceWallClockTime(MAX_WAIT);

        assertThat(entries(TraceMonitorTopology.OTLP_HELD_STORE)).isZero();
        assertThat(entries(TraceMonitorTopology.OTLP_PARTS_STORE)).isZero();
    }

    private long entries(String store) {
        try (var all = driver.<String, byte[]>getKeyValueStore(store).all()) {
            long count = 0;
            for (; all.hasNext(); all.next()) {
                count++;
            }
            return count;
        }
    }

    @Test
    void aLateSpanOverTheBoundsIsDeadLetteredAndMakesNoUpdate() {
        otlp.pipeInput(request(span(TRACE, "01", null, "root"), span(TRACE, "02", "01", "a"), span(TRACE, "03", "01", "b")));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        assertThat(assessed.readValuesToList()).hasSize(1);

        otlp.pipeInput(request(span(TRACE, "04", "01", "c"), span(TRACE, "05", "01", "d")));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));

        assertThat(assessed.isEmpty()).isTrue();
        assertThat(DeadLetters.header(dlq.readRecord().headers(), DeadLetters.ERROR_REASON))
                .endsWith(": these late spans make no update of the emitted trace");
        assertThat(metrics.count("traces.dlq", "reason", "otlp_too_large")).isEqualTo(1.0);
    }

    @Test
    void aSpanAfterItsTraceWasDeadLetteredIsDeadLetteredAsLate() {
        otlp.pipeInput(rootNamingNoExperiment());
        driver.advanceWallClockTime(QUIET.plusSeconds(1));
        dlq.readRecord();

        otlp.pipeInput(request(span(TRACE, "02", "01", "straggler")));
        driver.advanceWallClockTime(QUIET.plusSeconds(1));

        assertThat(assessed.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON))
                .isEqualTo("late: 1 span(s) of trace tr-" + TRACE + " arrived after the trace was emitted");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_STAGE)).isEqualTo(SpanAssemblyProcessor.STAGE);
        assertThat(metrics.count("traces.dlq", "reason", "otlp_late")).isEqualTo(1.0);
    }

    @Test
    void spansWithoutValidIdsAreDeadLetteredAndTheOtherSpansOfTheMessageGoOn() {
        byte[] message = request(span(TRACE, "01", null, "root"), span("", "05", null, "no trace id"),
                span(TRACE, "0000000000000000", "01", "zero span id"));
        otlp.pipeInput(message);
        driver.advanceWallClockTime(QUIET.plusSeconds(1));

        assertThat(TraceJsonCodec.decode(assessed.readValue()).spans()).singleElement()
                .satisfies(s -> assertThat(s.name()).isEqualTo("root"));
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.value()).isEqualTo(message);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON)).isEqualTo("2 span(s) of this message"
                + " were not processed (the others were): span \"no trace id\" has no traceId; span \"zero span id\""
                + " has an all-zero spanId");
    }

    @Test
    void aMessageThatIsNotAnExportRequestIsDeadLetteredUnchanged() {
        byte[] garbage = {(byte) 0xff, 0x01, 0x02};
        otlp.pipeInput(TestTraces.utf8("k"), garbage);

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON))
                .startsWith("not an OTLP protobuf ExportTraceServiceRequest");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("otlp_spans");
    }

    @Test
    void aTraceOverTheSpanLimitIsEmittedWithWhatItHoldsAndTheRestDeadLettered() {
        otlp.pipeInput(request(span(TRACE, "02", "01", "a"), span(TRACE, "03", "01", "b"), span(TRACE, "04", "01", "c")));
        otlp.pipeInput(request(span(TRACE, "05", "01", "d"), span(TRACE, "06", "01", "e")));

        assertThat(TraceJsonCodec.decode(assessed.readValue()).spans()).hasSize(3);
        assertThat(DeadLetters.header(dlq.readRecord().headers(), DeadLetters.ERROR_REASON)).isEqualTo("trace tr-"
                + TRACE + " would hold 5 spans and " + bytesOfBoth() + " bytes, over the limits"
                + " of 4 spans and " + TraceMonitorTopology.Settings.DEFAULT_MAX_TRACE_BYTES + " bytes: the trace was"
                + " emitted with the spans held before these");
    }

    @Test
    void aTraceThatNamesNoExperimentIsDeadLetteredWithItsSpans() {
        otlp.pipeInput(rootNamingNoExperiment());
        driver.advanceWallClockTime(QUIET.plusSeconds(1));

        assertThat(assessed.isEmpty()).isTrue();
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.key()).isEqualTo(TestTraces.utf8(TRACE));
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON)).contains("name no experiment");
        assertThat(metrics.count("traces.dlq", "reason", "no_experiment")).isEqualTo(1.0);
    }

    @Test
    void aTraceThatNamesNoExperimentIsCountedAndDroppedWhenSoConfigured() {
        stop();
        start(OtlpSettings.Unmapped.DROP);
        otlp.pipeInput(rootNamingNoExperiment());
        driver.advanceWallClockTime(QUIET.plusSeconds(1));

        assertThat(assessed.isEmpty()).isTrue();
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(metrics.count("otlp.dropped", "reason", "no_experiment")).isEqualTo(1.0);
        assertThat(metrics.count("traces.dlq", "reason", "no_experiment")).isZero();
    }

    /** A root span whose resource has no experiment attribute (and no service.name). */
    private static byte[] rootNamingNoExperiment() {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(
                ScopeSpans.newBuilder().addSpans(span(TRACE, "01", null, "root")))).build().toByteArray();
    }

    private static long bytesOfBoth() {
        return part(span(TRACE, "02", "01", "a"), span(TRACE, "03", "01", "b"), span(TRACE, "04", "01", "c")).length
                + part(span(TRACE, "05", "01", "d"), span(TRACE, "06", "01", "e")).length;
    }

    /** The part of one trace the split forwards for these spans: what the bytes limit counts. */
    private static byte[] part(Span... spans) {
        return dev.tracemonitor.otlp.OtlpBatches.split(message(spans)).byTrace().get(TRACE).toByteArray();
    }

    private static byte[] request(Span... spans) {
        return message(spans).toByteArray();
    }

    private static ExportTraceServiceRequest message(Span... spans) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder().addAttributes(KeyValue.newBuilder()
                        .setKey(OtlpExperiments.DEFAULT_ATTRIBUTE).setValue(AnyValue.newBuilder().setStringValue("7"))))
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans)))).build();
    }

    private static Span span(String traceId, String spanId, String parentId, String name) {
        Span.Builder span = Span.newBuilder().setTraceId(id(traceId)).setSpanId(id(spanId.length() < 16
                        ? "00000000000000".substring(0, 16 - spanId.length()) + spanId : spanId))
                .setName(name).setStartTimeUnixNano(1_750_000_000_000_000_000L)
                .setEndTimeUnixNano(1_750_000_001_000_000_000L);
        if (parentId != null) {
            span.setParentSpanId(id("00000000000000".substring(0, 16 - parentId.length()) + parentId));
        }
        return span.build();
    }

    private static ByteString id(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }
}
