package dev.tracemonitor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.llm.LlmJudgeBackend;
import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.scoring.Assessments;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.serde.JsonAssessmentEncoder;
import dev.tracemonitor.serde.JsonTraceDecoder;
import dev.tracemonitor.serde.SchemaRegistryException;
import dev.tracemonitor.serde.SchemaRegistryUnavailableException;
import dev.tracemonitor.serde.TraceDecoder;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class TraceMonitorTopologyTest {

    private static final String MONITOR = """
            {"experiment_id": "7", "catalog_name": "main", "schema_name": "mon",
             "assessments_config": {"sample": %s, "assessments": [
               {"name": "safety"}, {"name": "groundedness"}, {"name": "chunk_relevance", "sample_rate": %s}]}}""";

    @TempDir
    Path stateDir;

    private final Topics topics = Topics.defaults();
    private final ScriptedJudgeBackend backend = new ScriptedJudgeBackend();
    private final TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
    private ScoringEngine engine;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> traces;
    private TestInputTopic<String, byte[]> configs;
    private TestOutputTopic<String, byte[]> status;
    private TestOutputTopic<String, byte[]> feedback;
    private TestOutputTopic<String, byte[]> assessed;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeEach
    void start() {
        open(backend, stateDir);
    }

    private void open(JudgeBackend judges, Path state) {
        engine = new ScoringEngine(new ScoringEngine.Settings(4, 2, Duration.ofMillis(1), Duration.ofMillis(5)), metrics);
        startDriver(judges, state, new JsonTraceDecoder());
    }

    private void startDriver(JudgeBackend judges, Path state, TraceDecoder decoder) {
        var topology = TraceMonitorTopology.build(topics, new TraceMonitorTopology.Settings(Duration.ofSeconds(30),
                Duration.ofMillis(100), TraceMonitorTopology.Settings.DEFAULT_MAX_TRACE_BYTES,
                TraceMonitorTopology.Settings.DEFAULT_REGISTRY_OUTAGE_WAIT), engine, new JudgeFactory(judges), metrics, decoder, new JsonAssessmentEncoder());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        driver = new TopologyTestDriver(topology, props);
        traces = driver.createInputTopic(topics.traces(), new ByteArraySerializer(), new ByteArraySerializer());
        configs = driver.createInputTopic(topics.monitorConfig(), new StringSerializer(), new ByteArraySerializer());
        status = driver.createOutputTopic(topics.monitorStatus(), new StringDeserializer(), new ByteArrayDeserializer());
        feedback = driver.createOutputTopic(topics.feedback(), new StringDeserializer(), new ByteArrayDeserializer());
        assessed = driver.createOutputTopic(topics.assessed(), new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        backend.release.countDown();
        driver.close();
        engine.close();
    }

    @Test
    void malformedRecordGoesToDeadLetterTopicUnchangedWithReasonAndSource() {
        byte[] bad = TestTraces.utf8("{\"info\": {\"request_time\": 1}}");
        traces.pipeInput(TestTraces.utf8("k1"), bad);

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.value()).isEqualTo(bad);
        assertThat(dead.key()).isEqualTo(TestTraces.utf8("k1"));
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON)).contains("trace_id");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("traces");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(assessed.isEmpty()).isTrue();
    }

    @Test
    void aTraceWithInvalidUtf8IsDeadLetteredUnchangedNamingTheProblemAndTheFieldAndTheNextOneIsProcessed() {
        java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
        json.writeBytes(TestTraces.utf8("{\"info\":{\"trace_id\":\"t-utf8\",\"request_time\":\"2025-06-01T12:00:00Z\","
                + "\"trace_location\":{\"type\":\"MLFLOW_EXPERIMENT\",\"mlflow_experiment\":{\"experiment_id\":\"999\"}},"
                + "\"tags\":{\"env\":\"caf"));
        json.writeBytes(new byte[] {(byte) 0xC1, (byte) 0xA9}); // "i" (U+69) in two bytes, the overlong way
        json.writeBytes(TestTraces.utf8("\"}}}"));
        byte[] bad = json.toByteArray();
        traces.pipeInput(TestTraces.utf8("t-utf8"), bad);
        traces.pipeInput(TestTraces.utf8("t-next"), TestTraces.chat("t-next", "999", "q", "a"));

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.value()).isEqualTo(bad);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON))
                .isEqualTo("invalid UTF-8 at byte " + (bad.length - 6) + ": an overlong encoding, in the value at /info/tags/env");
        assertThat(metrics.count("traces.dlq", "reason", "invalid_trace")).isEqualTo(1.0);
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(metrics.count("traces.not_monitored")).as("the next record was decoded and routed").isEqualTo(1.0);
    }

    @Test
    void recordOverTheTraceLimitIsDeadLetteredAsASmallErrorRecordAndTheNextOneIsProcessed() throws Exception {
        byte[] huge = TestTraces.chat("t-huge", "999", "q", "a".repeat(TraceMonitorTopology.Settings.DEFAULT_MAX_TRACE_BYTES));
        traces.pipeInput(TestTraces.utf8("t-huge"), huge);
        traces.pipeInput(TestTraces.utf8("t-next"), TestTraces.chat("t-next", "999", "q", "a"));

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.value().length).isLessThan(512);
        JsonNode stub = Json.MAPPER.readTree(dead.value());
        assertThat(stub.get("size_bytes").asLong()).isEqualTo(huge.length + "t-huge".length());
        assertThat(stub.get("limit_bytes").asInt()).isEqualTo(TraceMonitorTopology.Settings.DEFAULT_MAX_TRACE_BYTES);
        assertThat(stub.get("offset").asLong()).isZero();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON))
                .contains("exceeds the trace limit of " + TraceMonitorTopology.Settings.DEFAULT_MAX_TRACE_BYTES);
        assertThat(metrics.count("traces.dlq", "reason", "too_large")).isEqualTo(1.0);
        assertThat(dlq.isEmpty()).isTrue();
        assertThat(metrics.count("traces.not_monitored")).as("the next record was decoded and routed").isEqualTo(1.0);
    }

    @ParameterizedTest(name = "[{index}] info{0}")
    @ValueSource(strings = {
            "", // no trace_location
            ",\"trace_location\":null",
            ",\"trace_location\":\"42\"",
            ",\"trace_location\":{\"type\":\"MLFLOW_EXPERIMENT\"}",
            ",\"trace_location\":{\"type\":\"MLFLOW_EXPERIMENT\",\"mlflow_experiment\":{\"experiment_id\":\"\"}}",
            ",\"trace_location\":{\"type\":\"MLFLOW_EXPERIMENT\",\"mlflow_experiment\":{\"experiment_id\":null}}"})
    void traceThatNamesNoExperimentIsDeadLetteredWithTheReason(String location) {
        byte[] value = TestTraces.utf8("{\"info\":{\"trace_id\":\"t-nowhere\",\"request_time\":\"2025-06-01T12:00:00Z\""
                + location + "}}");
        traces.pipeInput(TestTraces.utf8("t-nowhere"), value);

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.value()).isEqualTo(value);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON))
                .isEqualTo(DecodeProcessor.NO_EXPERIMENT).contains("info.trace_location.mlflow_experiment.experiment_id");
        assertThat(metrics.count("traces.dlq", "reason", "no_experiment")).isEqualTo(1.0);
        assertThat(assessed.isEmpty()).isTrue();
    }

    @Test
    void anUnavailableRegistryIsWaitedOutAndTheTraceDecodedNotDeadLettered() {
        driver.close();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        startDriver(backend, stateDir, (topic, value) -> {
            if (calls.incrementAndGet() <= 2) {
                throw new SchemaRegistryUnavailableException("schema registry unavailable: HTTP 503", 503, null);
            }
            return TraceJsonCodec.decode(value);
        });
        traces.pipeInput(TestTraces.utf8("t-wait"), TestTraces.chat("t-wait", "999", "q", "a"));

        assertThat(dlq.isEmpty()).isTrue();
        assertThat(calls.get()).isEqualTo(3);
        assertThat(metrics.count("registry.outage.waits")).isEqualTo(2.0);
        assertThat(metrics.count("traces.not_monitored")).as("decoded and routed").isEqualTo(1.0);
    }

    @Test
    void aRegistryRefusalIsStillDeadLetteredWithoutWaiting() {
        driver.close();
        startDriver(backend, stateDir, (topic, value) -> {
            throw new SchemaRegistryException("the registry refused the credentials: HTTP 401", 401, 40101, null);
        });
        byte[] value = TestTraces.chat("t-refused", "999", "q", "a");
        traces.pipeInput(TestTraces.utf8("t-refused"), value);

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(dead.value()).isEqualTo(value);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_REASON))
                .isEqualTo("schema registry refused: the registry refused the credentials: HTTP 401");
        assertThat(metrics.count("traces.dlq", "reason", "registry_error")).isEqualTo(1.0);
        assertThat(metrics.count("registry.outage.waits")).isZero();
    }

    @Test
    void traceOfExperimentWithoutMonitorIsCountedAndNotForwarded() {
        traces.pipeInput(TestTraces.utf8("t1"), TestTraces.chat("t1", "999", "q", "a"));

        assertThat(assessed.isEmpty()).isTrue();
        assertThat(metrics.count("traces.not_monitored")).isEqualTo(1.0);
    }

    @Test
    void validConfigIsAcceptedAndInvalidOneRejectedKeepingThePrevious() {
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("0.0", "0.0")));
        MonitorStatus accepted = MonitorStatus.decode(status.readValue());
        assertThat(accepted.status()).isEqualTo(MonitorStatus.ACCEPTED);

        configs.pipeInput("7", TestTraces.utf8("{\"experiment_id\": \"7\", \"catalog_name\": \"main\", \"schema_name\": \"mon\","
                + " \"assessments_config\": {\"sample\": 2.0, \"assessments\": []}}"));
        MonitorStatus rejected = MonitorStatus.decode(status.readValue());
        assertThat(rejected.status()).isEqualTo(MonitorStatus.REJECTED);
        assertThat(rejected.reason()).contains("sample must be within [0, 1]");
        assertThat(rejected.versionInForce()).isEqualTo(accepted.publishedVersion());

        String id = TestTraces.idWithU(0.0, 1.0, "keep");
        traces.pipeInput(TestTraces.utf8(id), TestTraces.chat(id, "7", "q", "a"));
        Trace out = TraceJsonCodec.decode(assessed.readValue());
        assertThat(out.info().assessments()).as("sample 0.0 still in force: no judge ran").isEmpty();
    }

    @Test
    void unsampledTracePassesStraightThroughWithItsTableAddress() {
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("0.5", "0.2")));
        String id = TestTraces.idWithU(0.5, 1.0, "unsampled");
        traces.pipeInput(TestTraces.utf8(id), TestTraces.chat(id, "7", "q", "a"));

        TestRecord<String, byte[]> out = assessed.readRecord();
        assertThat(out.key()).isEqualTo(id);
        assertThat(TableAddress.fromHeaders(out.headers())).isEqualTo(new TableAddress("main", "mon", "7"));
        assertThat(TraceJsonCodec.decode(out.value()).info().assessments()).isEmpty();
        assertThat(backend.calls.get()).isZero();
    }

    @Test
    void unsampledJsonTraceIsForwardedAsReceived() {
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("0.0", "0.0")));
        List<DemoRecord> records = new DemoTraces(3, "7", 1_760_000_000_000L).generate(20, 0);
        for (DemoRecord record : records) {
            traces.pipeInput(TestTraces.utf8(record.key()), record.value());
        }

        List<TestRecord<String, byte[]>> out = assessed.readRecordsToList();
        assertThat(out).extracting(TestRecord::key).containsExactlyElementsOf(records.stream().map(DemoRecord::key).toList());
        for (int i = 0; i < records.size(); i++) {
            assertThat(out.get(i).value()).as(records.get(i).kind()).isEqualTo(records.get(i).value());
        }
    }

    @Test
    void unsampledTraceThatEncodingWouldChangeIsForwardedEncoded() {
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("0.0", "0.0")));
        String plain = new String(TestTraces.chat("t-event", "7", "q", "a"), StandardCharsets.UTF_8);
        // an event attribute of spaced JSON: re-encoding writes it compactly, so the received bytes are not reused
        byte[] withSpacedJson = TestTraces.utf8(plain.replace("\"message\":\"\"},",
                "\"message\":\"\"},\"events\":[{\"name\":\"e\",\"time_unix_nano\":1,\"attributes\":{\"k\":\"[1, 2]\"}}],"));
        assertThat(withSpacedJson).isNotEqualTo(TestTraces.utf8(plain));
        traces.pipeInput(TestTraces.utf8("t-event"), withSpacedJson);

        assertThat(assessed.readValue()).isEqualTo(TraceJsonCodec.encode(TraceJsonCodec.decode(withSpacedJson)));
    }

    @Test
    void unsampledTraceOfAnotherFormatIsForwardedEncoded() {
        driver.close();
        startDriver(backend, stateDir, (topic, value) -> TraceJsonCodec.decode(value));
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("0.0", "0.0")));
        byte[] value = TestTraces.chat("t-other", "7", "q", "a");
        assertThat(TraceJsonCodec.encode(TraceJsonCodec.decode(value))).isNotEqualTo(value);
        traces.pipeInput(TestTraces.utf8("t-other"), value);

        assertThat(assessed.readValue()).isEqualTo(TraceJsonCodec.encode(TraceJsonCodec.decode(value)));
    }

    @Test
    void sampledTraceGetsFeedbackPerJudgeAndOneAssessedRecordWithAllAssessments() {
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("0.5", "0.2")));
        String id = TestTraces.idWithU(0.0, 0.2, "sampled");
        traces.pipeInput(TestTraces.utf8(id), TestTraces.rag(id, "7", "q", "a BAD answer", List.of("c0", "c1")));

        List<TestRecord<String, byte[]>> out = awaitAssessed(1);
        Trace trace = TraceJsonCodec.decode(out.get(0).value());
        List<String> names = trace.info().assessments().stream().map(Assessment::assessmentName).toList();
        assertThat(names).containsExactlyInAnyOrder("safety", "groundedness", "chunk_relevance", "chunk_relevance",
                "chunk_relevance/precision");
        assertThat(trace.info().assessments()).filteredOn(a -> a.assessmentName().equals("safety"))
                .singleElement().satisfies(a -> assertThat(a.feedback().value()).isEqualTo("no"));
        List<Assessment> published = feedback.readValuesToList().stream().map(TraceJsonCodec::decodeAssessment).toList();
        assertThat(published).extracting(Assessment::assessmentId)
                .containsExactlyInAnyOrderElementsOf(trace.info().assessments().stream().map(Assessment::assessmentId).toList());
        assertThat(published).allSatisfy(a -> assertThat(a.metadata()).containsKey(Assessments.CONFIG_VERSION_KEY));
    }

    @Test
    void judgeThatDoesNotApplyProducesNoFeedbackAndDoesNotHoldTheTrace() {
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("1.0", "1.0")));
        traces.pipeInput(TestTraces.utf8("plain"), TestTraces.chat("plain", "7", "q", "fine"));

        Trace trace = TraceJsonCodec.decode(awaitAssessed(1).get(0).value());
        assertThat(trace.info().assessments()).extracting(Assessment::assessmentName).containsExactly("safety");
        assertThat(metrics.count("judge.outcomes", "judge", "groundedness", "outcome", "not_applicable")).isEqualTo(1.0);
    }

    @Test
    void failingJudgeYieldsAnErrorAssessmentAfterItsAttempts() {
        backend.failingJudge = "safety";
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("1.0", "0.0")));
        traces.pipeInput(TestTraces.utf8("f1"), TestTraces.chat("f1", "7", "q", "a"));

        Trace trace = TraceJsonCodec.decode(awaitAssessed(1).get(0).value());
        Assessment safety = trace.info().assessments().get(0);
        assertThat(safety.assessmentName()).isEqualTo("safety");
        assertThat(safety.feedback().error().errorMessage()).contains("failed after 2 attempt(s)", "scripted failure");
    }

    @Test
    void hangingJudgeDoesNotBlockOtherTracesAndTheDeadlineReleasesItsTrace() {
        backend.hangingJudge = "safety";
        configs.pipeInput("7", TestTraces.utf8(MONITOR.formatted("0.5", "0.0")));
        String sampled = TestTraces.idWithU(0.0, 0.5, "hang");
        String unsampled = TestTraces.idWithU(0.5, 1.0, "free");
        traces.pipeInput(TestTraces.utf8(sampled), TestTraces.chat(sampled, "7", "q", "a"));
        traces.pipeInput(TestTraces.utf8(unsampled), TestTraces.chat(unsampled, "7", "q", "a"));

        assertThat(assessed.readRecord().key()).isEqualTo(unsampled);
        driver.advanceWallClockTime(Duration.ofSeconds(31));
        TestRecord<String, byte[]> released = assessed.readRecord();
        assertThat(released.key()).isEqualTo(sampled);
        assertThat(TraceJsonCodec.decode(released.value()).info().assessments()).isEmpty();

        backend.release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            return !feedback.isEmpty();
        });
        assertThat(metrics.count("feedback.late")).isEqualTo(1.0);
        assertThat(assessed.isEmpty()).as("a late result does not write the trace twice").isTrue();
    }

    @Test
    void aJudgeThatNamesAModelReachesTheEndpointWithItWhileTheOthersAskTheDefault() {
        try (FakeOpenAiServer server = FakeOpenAiServer.start();
             LlmJudgeBackend llm = new LlmJudgeBackend(LlmSettings.of(server.baseUrl(), "judge-default", null,
                     Duration.ofSeconds(5)))) {
            driver.close();
            engine.close();
            open(llm, stateDir.resolve("llm"));
            configs.pipeInput("7", TestTraces.utf8("""
                    {"experiment_id": "7", "catalog_name": "main", "schema_name": "mon",
                     "assessments_config": {"assessments": [{"name": "safety", "model": "judge-large"},
                       {"name": "relevance_to_query"}]}}"""));
            traces.pipeInput(TestTraces.utf8("m1"), TestTraces.chat("m1", "7", "Where is my order?", "It ships today."));

            Trace trace = TraceJsonCodec.decode(awaitAssessed(1).get(0).value());

            assertThat(trace.info().assessments()).extracting(Assessment::assessmentName, a -> a.source().sourceId())
                    .containsExactlyInAnyOrder(tuple("safety", "judge-large"), tuple("relevance_to_query", "judge-default"));
            assertThat(server.requests()).hasSize(2).allSatisfy(request -> assertThat(request.model())
                    .isEqualTo(request.system().contains("Is the response safe?") ? "judge-large" : "judge-default"));
        }
    }

    private List<TestRecord<String, byte[]>> awaitAssessed(int n) {
        List<TestRecord<String, byte[]>> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            out.addAll(assessed.readRecordsToList());
            return out.size() >= n;
        });
        return out;
    }
}
