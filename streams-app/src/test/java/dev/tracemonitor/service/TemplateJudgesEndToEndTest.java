package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.TableRows;
import dev.tracemonitor.testing.MonitorProbe;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.LlmServiceProps;
import dev.tracemonitor.testing.fakellm.RecordedRequest;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Template judges on a real broker, the llm backend on the fake OpenAI endpoint: a monitor with a yes_no and an int
 * 1–5 template judge gets Assessments of those types on trace-feedback and in both Delta tables, the instructions in
 * the system message with the trace's text as tagged blocks in the user message and the int judge's reply schema
 * asking for an integer; a malformed reply and a number out of range are error Assessments that say so.
 */
class TemplateJudgesEndToEndTest {

    private static final String EXPERIMENT = "tmpl";
    private static final String POLITE = "polite";
    private static final String HELPFUL = "helpfulness";
    private static final String MONITOR = """
            {"experiment_id": "tmpl", "catalog_name": "main", "schema_name": "tmpl",
             "assessments_config": {"sample": 1.0, "assessments": [
              {"name": "polite", "instructions": "Does the answer in {{ outputs }} respond to {{ inputs }} politely?",
               "feedback_value_type": "yes_no"},
              {"name": "helpfulness", "instructions": "Rate from 1 to 5 how helpful {{ outputs }} is.",
               "feedback_value_type": "int", "min_value": 1, "max_value": 5}]}}""";
    private static final String QUESTION = "How do I reset my password?";
    /** Response text per trace; the fake endpoint answers by what the user message holds. */
    private static final Map<String, String> RESPONSES = Map.of(
            "t-good", "Please open Settings and choose Reset.",
            "t-rude", "RUDE figure it out yourself.",
            "t-malformed", "MALFORMED-MARK Open Settings.",
            "t-range", "RANGE-MARK Open Settings.");

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @Test
    void aYesNoAndAnIntTemplateJudgeGiveTypedAssessmentsInTheTopicAndBothTablesAndBadRepliesGiveErrors()
            throws Exception {
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(TemplateJudgesEndToEndTest::reply)) {
            ServiceConfig config = ServiceConfig.of(props(llm));
            Topics topics = config.topics();
            Map<String, Map<String, Assessment>> published;
            try (TraceMonitorService service = started(new TraceMonitorService(config, JudgeBackends.create(config),
                    TraceMonitorMetrics.inMemory()));
                 TopicCollector<Assessment> feedback = new TopicCollector<>(broker.bootstrapServers(),
                         topics.feedback(), TraceJsonCodec::decodeAssessment);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                         Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
                         new ByteArraySerializer())) {
                MonitorProbe.publishAndAwaitJudged(producer, topics.monitorConfig(), EXPERIMENT, MONITOR, feedback,
                        id -> send(producer, topics, id, "Please open Settings."));
                for (Map.Entry<String, String> trace : RESPONSES.entrySet()) {
                    send(producer, topics, trace.getKey(), trace.getValue());
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> RESPONSES.keySet().stream()
                        .allMatch(id -> feedback.get(id).size() == 2));
                published = new HashMap<>();
                for (String id : RESPONSES.keySet()) {
                    feedback.get(id).forEach(a -> published.computeIfAbsent(id, k -> new HashMap<>())
                            .put(a.assessmentName(), a));
                }
                String traceLogs = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "tmpl", EXPERIMENT),
                        dir.resolve("warehouse").toString());
                await().atMost(Duration.ofSeconds(90)).until(() -> RESPONSES.keySet().stream()
                        .allMatch(id -> traceLogsAssessments(traceLogs).getOrDefault(id, List.of()).size() == 2));
            }

            assertThat(published.get("t-good").get(POLITE).feedback().value()).isEqualTo("yes");
            assertThat(published.get("t-rude").get(POLITE).feedback().value()).isEqualTo("no");
            assertThat(published.get("t-good").get(HELPFUL).feedback().value())
                    .isInstanceOfSatisfying(Number.class, n -> assertThat(n.longValue()).isEqualTo(4));
            assertThat(published.get("t-good").get(HELPFUL).rationale()).isEqualTo("Clear steps.");
            Assessment malformed = published.get("t-malformed").get(HELPFUL);
            assertThat(malformed.feedback().value()).isNull();
            assertThat(malformed.feedback().error().errorCode()).isEqualTo("MALFORMED_JUDGE_REPLY");
            assertThat(malformed.feedback().error().errorMessage()).contains("four out of five");
            Assessment outOfRange = published.get("t-range").get(HELPFUL);
            assertThat(outOfRange.feedback().error().errorCode()).isEqualTo("JUDGE_REPLY_OUT_OF_RANGE");
            assertThat(outOfRange.feedback().error().errorMessage()).contains("9 outside [1, 5]");

            RecordedRequest rating = llm.requests().stream()
                    .filter(r -> r.system().contains("Rate from 1 to 5") && r.user().contains(RESPONSES.get("t-good")))
                    .findFirst().orElseThrow();
            assertThat(rating.system()).contains("Rate from 1 to 5 how helpful <outputs> is.")
                    .doesNotContain(RESPONSES.get("t-good"));
            assertThat(rating.user()).as("the root span's outputs, as MLflow fills {{ outputs }}, in their block")
                    .containsPattern("<outputs>\n[^<]*" + Pattern.quote(RESPONSES.get("t-good")) + "[^<]*\n</outputs>");
            assertThat(rating.body()).as("the strict reply schema asks for an integer result")
                    .containsPattern("\"result\"\\s*:\\s*\\{\\s*\"type\"\\s*:\\s*\"integer\"");

            String warehouse = dir.resolve("warehouse").toString();
            TableAddress table = new TableAddress("main", "tmpl", EXPERIMENT);
            Map<String, List<Map<String, Object>>> inTraceLogs = traceLogsAssessments(
                    SinkTableKind.TRACE_LOGS.path(table, warehouse));
            Map<String, Map<String, Object>> inAssessments = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                inAssessments.clear();
                rows(SinkTableKind.TRACE_ASSESSMENTS.path(table, warehouse)).forEach(row -> inAssessments.put(
                        row.get("trace_id") + "/" + row.get("assessment_name"), row));
                return RESPONSES.keySet().stream().allMatch(id -> inAssessments.containsKey(id + "/" + POLITE)
                        && inAssessments.containsKey(id + "/" + HELPFUL));
            });
            for (String id : RESPONSES.keySet()) {
                for (String judge : List.of(POLITE, HELPFUL)) {
                    Assessment expected = published.get(id).get(judge);
                    Map<String, Object> row = inAssessments.get(id + "/" + judge);
                    Map<String, Object> fromTraceLogs = inTraceLogs.get(id).stream()
                            .filter(a -> judge.equals(a.get("assessment_name"))).findFirst().orElseThrow();
                    for (Map<String, Object> stored : List.of(row, fromTraceLogs)) {
                        assertThat(feedbackValue(stored)).as("%s %s", id, judge)
                                .isEqualTo(expected.feedback().value() == null ? null
                                        : expected.feedback().value().toString());
                        assertThat(errorCode(stored)).as("%s %s", id, judge).isEqualTo(
                                expected.feedback().error() == null ? null : expected.feedback().error().errorCode());
                    }
                }
            }
            assertThat(feedbackValue(inAssessments.get("t-good/" + HELPFUL))).isEqualTo("4");
        }
    }

    /** The service, started (it creates the topics the collector reads). */
    private static TraceMonitorService started(TraceMonitorService service) throws Exception {
        service.start();
        return service;
    }

    /** polite: "no" for a rude answer; helpfulness: 4, or prose, or 9, by the marker in the answer. */
    private static Reply reply(RecordedRequest request, int callIndex) {
        if (request.system().contains("politely")) {
            return request.user().contains("RUDE") ? Reply.verdict("no", "It is rude.")
                    : Reply.verdict("yes", "It is polite.");
        }
        if (request.user().contains("MALFORMED-MARK")) {
            return Reply.content("I would say four out of five.");
        }
        return Reply.content("{\"rationale\": \"Clear steps.\", \"result\": "
                + (request.user().contains("RANGE-MARK") ? 9 : 4) + "}");
    }

    private static void send(KafkaProducer<String, byte[]> producer, Topics topics, String id, String response)
            throws Exception {
        producer.send(new ProducerRecord<>(topics.traces(), id, TestTraces.chat(id, EXPERIMENT, QUESTION, response)))
                .get();
    }

    private static List<Map<String, Object>> rows(String tablePath) {
        return TableRows.of(tablePath);
    }

    /** The assessments column of each trace_logs row, by trace id. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<Map<String, Object>>> traceLogsAssessments(String tablePath) {
        Map<String, List<Map<String, Object>>> byTrace = new HashMap<>();
        for (Map<String, Object> row : rows(tablePath)) {
            Object assessments = row.get("assessments");
            byTrace.put((String) row.get("trace_id"),
                    assessments == null ? List.of() : (List<Map<String, Object>>) assessments);
        }
        return byTrace;
    }

    @SuppressWarnings("unchecked")
    private static Object feedbackValue(Map<String, Object> assessment) {
        Map<String, Object> feedback = (Map<String, Object>) assessment.get("feedback");
        return feedback == null ? null : feedback.get("value");
    }

    @SuppressWarnings("unchecked")
    private static Object errorCode(Map<String, Object> assessment) {
        Map<String, Object> feedback = (Map<String, Object>) assessment.get("feedback");
        Map<String, Object> error = feedback == null ? null : (Map<String, Object>) feedback.get("error");
        return error == null ? null : error.get("error_code");
    }

    private static Properties props(FakeOpenAiServer llm) {
        Properties props = LlmServiceProps.of(broker.bootstrapServers(), dir, llm);
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        return props;
    }
}
