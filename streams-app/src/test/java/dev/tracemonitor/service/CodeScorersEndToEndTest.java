package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.scorers.ScorerJudge;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.TableRows;
import dev.tracemonitor.testing.MonitorProbe;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import dev.tracemonitor.testing.scorers.HangingScorer;
import dev.tracemonitor.testing.scorers.PluginJars;
import dev.tracemonitor.testing.scorers.ThrowingScorer;
import dev.tracemonitor.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code scorers on a real broker: the example module's jar (pii_leak) and a jar built here with a scorer that throws
 * and one that sleeps far past the 1 s timeout, dropped into the service's plugin directory. A monitor naming all
 * three gets pii_leak "no" for a response with an e-mail address or a phone number and "yes" for one without, on
 * trace-feedback and in trace_assessments; the throwing scorer's Assessments are SCORER_FAILED and the hanging one's
 * SCORER_TIMEOUT, and the traces sent behind them are judged all the same.
 */
class CodeScorersEndToEndTest {

    private static final String EXPERIMENT = "scorers";
    private static final String PII = "pii_leak";
    private static final String MONITOR = """
            {"experiment_id": "scorers", "catalog_name": "main", "schema_name": "scorers",
             "assessments_config": {"sample": 1.0, "assessments": [
              {"scorer": "pii_leak"}, {"scorer": "always_throws"}, {"scorer": "hangs", "sample_rate": 1.0}]}}""";
    private static final String QUESTION = "How do I reach support?";
    /** The first traces, by id, with their response and pii_leak's expected value. */
    private static final Map<String, String[]> FIRST = ordered(
            "t-email", "Write to jane.doe@example.com and we will answer.", "no",
            "t-phone", "Call us on +44 20 7946 0958 any weekday.", "no",
            "t-clean", "Open Settings, then Help, then Contact.", "yes");

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @Test
    void theExampleScorerJudgesEndToEndAndAThrowingAndAHangingScorerGiveErrorsWhileLaterTracesAreJudged()
            throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJars.copyExample(plugins);
        PluginJars.build(plugins.resolve("misbehaving-scorers.jar"), ThrowingScorer.class, HangingScorer.class);
        Map<String, String[]> later = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            later.put("t-later-" + i, i % 2 == 0
                    ? new String[] {"Reset it from Settings (step " + i + ").", "yes"}
                    : new String[] {"Mail it to help-" + i + "@example.org please.", "no"});
        }
        Map<String, String[]> all = new LinkedHashMap<>(FIRST);
        all.putAll(later);

        ServiceConfig config = ServiceConfig.of(props(plugins));
        Topics topics = config.topics();
        Map<String, Map<String, Assessment>> published = new HashMap<>();
        try (TraceMonitorService service = started(new TraceMonitorService(config, JudgeBackends.create(config),
                TraceMonitorMetrics.inMemory()));
             TopicCollector<Assessment> feedback = new TopicCollector<>(broker.bootstrapServers(), topics.feedback(),
                     TraceJsonCodec::decodeAssessment);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
                     new ByteArraySerializer())) {
            MonitorProbe.publishAndAwaitJudged(producer, topics.monitorConfig(), EXPERIMENT, MONITOR, feedback,
                    id -> send(producer, topics, id, "Open Settings."));

            // the first traces, then at once the later ones, while the hanging scorer's calls still hold their workers
            FIRST.forEach((id, trace) -> send(producer, topics, id, trace[0]));
            later.forEach((id, trace) -> send(producer, topics, id, trace[0]));
            await().atMost(Duration.ofSeconds(90)).until(() -> all.keySet().stream()
                    .allMatch(id -> feedback.get(id).size() == 3));
            for (String id : all.keySet()) {
                feedback.get(id).forEach(a -> published.computeIfAbsent(id, k -> new HashMap<>())
                        .put(a.assessmentName(), a));
            }

            String assessmentsTable = SinkTableKind.TRACE_ASSESSMENTS.path(
                    new TableAddress("main", "scorers", EXPERIMENT), dir.resolve("warehouse").toString());
            Map<String, Object> piiInTable = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                TableRows.of(assessmentsTable).stream().filter(row -> PII.equals(row.get("assessment_name")))
                        .forEach(row -> piiInTable.put((String) row.get("trace_id"), feedbackValue(row)));
                return piiInTable.keySet().containsAll(all.keySet());
            });
            all.forEach((id, trace) -> assertThat(piiInTable.get(id)).as(id).isEqualTo(trace[1]));
        }

        all.forEach((id, trace) -> {
            Assessment pii = published.get(id).get(PII);
            assertThat(pii.feedback().value()).as(id).isEqualTo(trace[1]);
            assertThat(pii.source()).isEqualTo(new AssessmentSource(AssessmentSource.CODE,
                    ScorerJudge.SOURCE_ID_PREFIX + PII));

            Assessment failed = published.get(id).get(ThrowingScorer.NAME);
            assertThat(failed.feedback().error()).as("%s %s is an error", id, ThrowingScorer.NAME).isNotNull();
            assertThat(failed.feedback().error().errorCode()).as(id).isEqualTo(ScorerJudge.SCORER_FAILED);
            assertThat(failed.feedback().error().errorMessage()).as(id)
                    .isEqualTo("java.lang.IllegalStateException: " + ThrowingScorer.MESSAGE + " (" + id + ")");

            Assessment timedOut = published.get(id).get(HangingScorer.NAME);
            assertThat(timedOut.feedback().error()).as("%s %s is an error", id, HangingScorer.NAME).isNotNull();
            assertThat(timedOut.feedback().error().errorCode()).as(id).isEqualTo(ScorerJudge.SCORER_TIMEOUT);
            assertThat(timedOut.feedback().error().errorMessage()).as(id).contains("within PT1S");
        });
        assertThat(published.get("t-email").get(PII).rationale()).contains("an e-mail address").doesNotContain("jane");
        assertThat(published.get("t-phone").get(PII).rationale()).contains("a phone number").doesNotContain("7946");
    }

    private static TraceMonitorService started(TraceMonitorService service) throws Exception {
        service.start();
        return service;
    }

    private static void send(KafkaProducer<String, byte[]> producer, Topics topics, String id, String response) {
        try {
            producer.send(new ProducerRecord<>(topics.traces(), id,
                    TestTraces.chat(id, EXPERIMENT, QUESTION, response))).get();
        } catch (Exception e) {
            throw new IllegalStateException("sending " + id, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object feedbackValue(Map<String, Object> assessment) {
        Map<String, Object> feedback = (Map<String, Object>) assessment.get("feedback");
        return feedback == null ? null : feedback.get("value");
    }

    /** id, response, expected value, ... in order. */
    private static Map<String, String[]> ordered(String... triples) {
        Map<String, String[]> map = new LinkedHashMap<>();
        for (int i = 0; i < triples.length; i += 3) {
            map.put(triples[i], new String[] {triples[i + 1], triples[i + 2]});
        }
        return map;
    }

    private static Properties props(Path plugins) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.SCORERS_DIR_CONFIG, plugins.toString());
        props.put(ServiceConfig.SCORER_TIMEOUT_CONFIG, "PT1S");
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        return props;
    }
}
