package dev.tracemonitor.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.cli.TraceMonitorCommand;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import dev.tracemonitor.topology.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The monitor control plane on a real broker: validation, status events, live changes, plain producers, the CLI. */
class ControlPlaneTest {

    private static final Topics TOPICS = Topics.defaults();
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    static Path dir;

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();
    private static TraceMonitorService service;
    private static KafkaProducer<String, String> producer;
    private static TopicCollector<MonitorStatus> status;
    private static TopicCollector<Trace> assessed;

    @BeforeAll
    static void start() throws Exception {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.SINK_ENABLED_CONFIG, "false");
        service = new TraceMonitorService(ServiceConfig.of(props), new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory());
        service.start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
        status = new TopicCollector<>(broker.bootstrapServers(), TOPICS.monitorStatus(), MonitorStatus::decode);
        assessed = new TopicCollector<>(broker.bootstrapServers(), TOPICS.assessed(), TraceJsonCodec::decode);
    }

    @AfterAll
    static void stop() throws Exception {
        status.close();
        assessed.close();
        producer.close();
        service.close();
    }

    private static String monitor(String experiment, String catalog, String schema, double sample) {
        return """
                {"experiment_id": "%s", "catalog_name": "%s", "schema_name": "%s",
                 "assessments_config": {"sample": %s, "assessments": [{"name": "safety"}]}}"""
                .formatted(experiment, catalog, schema, sample);
    }

    /** Publishes with a plain Kafka producer and waits for the service's answer to exactly this publish. */
    private static MonitorStatus publish(String experiment, String json) throws Exception {
        RecordMetadata sent = producer.send(new ProducerRecord<>(TOPICS.monitorConfig(), experiment, json)).get();
        return await().atMost(Duration.ofSeconds(30)).until(() -> status.get(experiment).stream()
                .filter(s -> s.publishedVersion() == sent.offset()).findFirst(), Optional::isPresent).orElseThrow();
    }

    private static Trace scoreOne(String experiment, double below) {
        String id = TestTraces.idWithU(0.0, below, "cp-" + IDS.incrementAndGet());
        producer.send(new ProducerRecord<>(TOPICS.traces(), id, new String(TestTraces.chat(id, experiment, "q", "a"))));
        return await().atMost(Duration.ofSeconds(30)).until(() -> assessed.get(id), traces -> !traces.isEmpty()).get(0);
    }

    private static String configVersion(Trace trace) {
        return trace.info().assessments().stream().filter(a -> a.assessmentName().equals("safety")).findFirst()
                .map(a -> a.metadata().get("trace_monitor.config_version")).orElse(null);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}, "owner": "x"} | unknown field "owner"
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "toxicity"}]}} | "toxicity" is not a builtin judge
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"sample": 1.01, "assessments": []}} | sample must be within [0, 1]
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "sample_rate": -1}]}} | sample_rate must be within [0, 1]
            {"experiment_id": "inv", "catalog_name": "../x", "schema_name": "mon", "assessments_config": {"assessments": []}} | catalog_name must match
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "a b", "assessments_config": {"assessments": []}} | schema_name must match
            {"experiment_id": "inv", "catalog_name": "other", "schema_name": "mon", "assessments_config": {"assessments": []}} | cannot change once a monitor exists
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "other", "assessments_config": {"assessments": []}} | cannot change once a monitor exists
            {"experiment_id": "someone-else", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}} | differs from experiment_id
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"guidelines": {}}]}} | guidelines is empty
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"guidelines": {"tone": [""]}}]}} | has an empty text
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"guidelines": {"safety": ["x"]}}]}} | clashes with a builtin judge
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety"}, {"name": "safety"}]}} | appears twice
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{}]}} | exactly one of
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": "judge\\u0007large"}]}} | assessments[0].model has a non-printable character U+0007 at index 5
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}, "filter": "colour = 'red'"} | unknown field 'colour'
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon"} | assessments_config is required
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": "safety"}} | not a valid monitor config JSON
            not even json | not a valid monitor config JSON
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Is {{ output }} polite?", "feedback_value_type": "yes_no"}]}} | assessments[0].instructions uses unknown variable {{ output }}
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Is the answer polite?", "feedback_value_type": "yes_no"}]}} | assessments[0].instructions uses no template variable
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "   ", "feedback_value_type": "yes_no"}]}} | assessments[0].instructions is empty
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Rate {{ outputs }}", "feedback_value_type": "int", "min_value": 5, "max_value": 1}]}} | assessments[0].min_value 5.0 is not below max_value 1.0
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Rate {{ outputs }}", "feedback_value_type": "int", "min_value": 0.5}]}} | assessments[0].min_value 0.5 is not an integer
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Is {{ outputs }} polite?", "feedback_value_type": "yes_no", "max_value": 3}]}} | min_value/max_value apply only to feedback_value_type int or float, not yes_no
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Is {{ outputs }} polite?", "feedback_value_type": "score"}]}} | assessments[0].feedback_value_type "score" is not one of
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Is {{ outputs }} polite?"}]}} | assessments[0].feedback_value_type is required
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Label {{ outputs }}", "feedback_value_type": "categories", "categories": ["rude"]}]}} | categories needs at least two labels
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Label {{ outputs }}", "feedback_value_type": "categories", "categories": ["rude", "rude"]}]}} | categories has \"rude\" twice
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Is {{ outputs }} polite?", "feedback_value_type": "yes_no"}, {"name": "tone", "instructions": "Rate {{ inputs }}", "feedback_value_type": "bool"}]}} | judge "tone" appears twice
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"guidelines": {"tone": ["be polite"]}}, {"name": "tone", "instructions": "Is {{ outputs }} polite?", "feedback_value_type": "yes_no"}]}} | judge "tone" appears twice
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "instructions": "Is {{ outputs }} safe?", "feedback_value_type": "yes_no"}]}} | assessments[0].name "safety" is the name of a builtin judge
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "retrieval_groundedness", "instructions": "Is {{ outputs }} grounded?", "feedback_value_type": "yes_no"}]}} | "retrieval_groundedness" is the name of a builtin judge
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"instructions": "Is {{ outputs }} polite?", "feedback_value_type": "yes_no"}]}} | assessments[0].name is required
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "guidelines": {"tone": ["be polite"]}, "instructions": "Is {{ outputs }} polite?", "feedback_value_type": "yes_no"}]}} | assessments[0] has both "guidelines" and "instructions"
            {"experiment_id": "inv", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "tone", "instructions": "Is {{ outputs }} polite to {{ inputs }}?", "feedback_value_type": "categories", "categories": ["polite", ""]}]}} | assessments[0].categories has an empty label
            """)
    void invalidConfigIsRejectedWithItsReasonAndThePreviousConfigStaysInForce(String json, String reason) throws Exception {
        MonitorStatus accepted = status.get("inv").stream().filter(s -> MonitorStatus.ACCEPTED.equals(s.status()))
                .findFirst().orElse(null);
        if (accepted == null) {
            accepted = publish("inv", monitor("inv", "main", "mon", 1.0));
            assertThat(accepted.status()).isEqualTo(MonitorStatus.ACCEPTED);
        }

        MonitorStatus rejected = publish("inv", json);

        assertThat(rejected.status()).isEqualTo(MonitorStatus.REJECTED);
        assertThat(rejected.reason()).contains(reason);
        assertThat(rejected.versionInForce()).isEqualTo(accepted.publishedVersion());
        assertThat(rejected.configInForce().catalogName()).isEqualTo("main");
        assertThat(configVersion(scoreOne("inv", 1.0))).isEqualTo(Long.toString(accepted.publishedVersion()));
    }

    @Test
    void configFromAPlainKafkaProducerIsApplied() throws Exception {
        RecordMetadata sent = producer.send(new ProducerRecord<>(TOPICS.monitorConfig(), "plain",
                monitor("plain", "main", "plain", 1.0))).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> !status.get("plain").isEmpty());

        Trace trace = scoreOne("plain", 1.0);

        assertThat(trace.info().assessments()).extracting(Assessment::assessmentName).containsExactly("safety");
        assertThat(configVersion(trace)).isEqualTo(Long.toString(sent.offset()));
    }

    @Test
    void aJudgeThatNamesItsModelIsAcceptedAndAskedWithThatModel() throws Exception {
        MonitorStatus accepted = publish("model", """
                {"experiment_id": "model", "catalog_name": "main", "schema_name": "model",
                 "assessments_config": {"assessments": [{"name": "safety", "model": "judge-large"},
                   {"name": "relevance_to_query"}]}}""");
        assertThat(accepted.status()).isEqualTo(MonitorStatus.ACCEPTED);
        assertThat(accepted.configInForce().judges().get(0).model()).isEqualTo("judge-large");
        awaitVersionApplied("model", accepted.publishedVersion());

        Trace trace = scoreOne("model", 1.0);

        assertThat(trace.info().assessments()).extracting(Assessment::assessmentName, a -> a.source().sourceId())
                .containsExactlyInAnyOrder(tuple("safety", "scripted/safety@judge-large"),
                        tuple("relevance_to_query", "scripted/relevance_to_query"));
    }

    @Test
    void samplingRateChangeAppliesToTracesThatArriveAfterIt() throws Exception {
        MonitorStatus v1 = publish("rate", monitor("rate", "main", "rate", 0.2));
        awaitVersionApplied("rate", v1.publishedVersion());
        Map<String, Trace> before = produceBatch("rate", 200);
        MonitorStatus v2 = publish("rate", monitor("rate", "main", "rate", 0.8));
        awaitVersionApplied("rate", v2.publishedVersion());
        Map<String, Trace> after = produceBatch("rate", 200);

        assertSampled(before, 0.2, v1.publishedVersion());
        assertSampled(after, 0.8, v2.publishedVersion());
    }

    private static void awaitVersionApplied(String experiment, long version) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Long.toString(version).equals(configVersion(scoreOne(experiment, 0.01))));
    }

    /** Produces {@code n} traces and returns each as traces-assessed has it, by trace id. */
    private static Map<String, Trace> produceBatch(String experiment, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "batch-" + IDS.incrementAndGet();
            ids.add(id);
            producer.send(new ProducerRecord<>(TOPICS.traces(), id, new String(TestTraces.chat(id, experiment, "q", "a"))));
        }
        producer.flush();
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, Trace> out = new HashMap<>();
            for (String id : ids) {
                List<Trace> got = assessed.get(id);
                if (!got.isEmpty()) {
                    out.put(id, got.get(0));
                }
            }
            return out;
        }, out -> out.size() == ids.size());
    }

    private static void assertSampled(Map<String, Trace> traces, double rate, long version) {
        for (Map.Entry<String, Trace> e : traces.entrySet()) {
            String id = e.getKey();
            Trace trace = e.getValue();
            boolean judged = !trace.info().assessments().isEmpty();
            assertThat(judged).as("%s at u=%s, rate %s", id, Sampler.u(id), rate).isEqualTo(Sampler.u(id) < rate);
            if (judged) {
                assertThat(configVersion(trace)).isEqualTo(Long.toString(version));
            }
        }
    }

    @Test
    void cliRoundTripWithDocumentedExitCodes() {
        String bs = "--bootstrap-servers=" + broker.bootstrapServers();
        String[] create = {"monitor", "create", bs, "--experiment-id", "cli", "--catalog", "main", "--schema", "cli",
                "--sample", "0.5", "--judge", "safety", "--judge", "chunk_relevance=0.2"};
        Result created = cli(create);
        assertThat(created.code()).isZero();
        assertThat(created.out()).startsWith("accepted: monitor cli (config version ");
        assertThat(cli(create).code()).as("create of an existing monitor").isEqualTo(5);

        Result get = cli("monitor", "get", bs, "cli");
        assertThat(get.code()).isZero();
        assertThat(get.out()).contains("\"sample\" : 0.5", "chunk_relevance");

        assertThat(cli("monitor", "update", bs, "--experiment-id", "cli", "--catalog", "main", "--schema", "cli",
                "--sample", "0.9", "--judge", "safety").code()).isZero();
        assertThat(cli("monitor", "update", bs, "--experiment-id", "cli", "--catalog", "elsewhere", "--schema", "cli",
                "--judge", "safety").code()).as("rejected update").isEqualTo(1);
        assertThat(cli("monitor", "get", bs, "cli").out()).contains("\"sample\" : 0.9").doesNotContain("chunk_relevance");

        assertThat(cli("monitor", "list", bs).out()).contains("main.cli.trace_logs_cli");
        assertThat(cli("monitor", "delete", bs, "cli").out()).contains("deleted: monitor cli");
        assertThat(cli("monitor", "get", bs, "cli").code()).isEqualTo(4);
        assertThat(cli("monitor", "list", bs).out()).doesNotContain("trace_logs_cli");
        assertThat(cli("monitor", "delete", bs, "cli").code()).isEqualTo(4);
        assertThat(cli("monitor", "update", bs, "--experiment-id", "cli", "--catalog", "main", "--schema", "cli").code())
                .isEqualTo(4);
        assertThat(cli("monitor", "create", bs, "--experiment-id", "cli", "--catalog", "main").code()).isEqualTo(2);
    }

    private record Result(int code, String out) {
    }

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        int code = cmd.execute(args);
        return new Result(code, out.toString().trim());
    }
}
