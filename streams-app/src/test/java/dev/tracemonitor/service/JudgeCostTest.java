package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.LlmServiceProps;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.topology.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
 * What judging costs, on a real broker with the llm backend and the fake OpenAI endpoint: each Assessment that came
 * from a model call carries the tokens the endpoint reported for that call and its cost at the configured price, and
 * the metrics sum them per monitor and judge.
 */
class JudgeCostTest {

    private static final String EXPERIMENT = "cost";
    private static final String MODEL = LlmServiceProps.MODEL;
    private static final BigDecimal INPUT_PRICE = new BigDecimal("2.50");
    private static final BigDecimal OUTPUT_PRICE = new BigDecimal("10");
    private static final List<String> CHUNKS = List.of("Passwords are reset under Settings.",
            "Our office is closed on Sundays.", "Reset links expire after one hour.");
    /** The judges whose every Assessment is one model call (chunk_relevance/precision is computed, not asked). */
    private static final List<String> CALLING_JUDGES = List.of("safety", "chunk_relevance");

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @Test
    void eachAssessmentCarriesItsCallsTokensAndCostAndTheMetricsSumThemPerMonitorAndJudge() throws Exception {
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(Behavior.always(Reply.yes()))) {
            ServiceConfig config = ServiceConfig.of(props(llm));
            Topics topics = config.topics();
            TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
            try (TraceMonitorService service = new TraceMonitorService(config, JudgeBackends.create(config), metrics)) {
                service.start();
                judgeAKnownWorkload(llm, topics, metrics);
            }
        }
    }

    private static void judgeAKnownWorkload(FakeOpenAiServer llm, Topics topics, TraceMonitorMetrics metrics)
            throws Exception {
        try (TopicCollector<Assessment> feedback = new TopicCollector<>(broker.bootstrapServers(),
                topics.feedback(), TraceJsonCodec::decodeAssessment);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
                     new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.monitorConfig(), EXPERIMENT, ("""
                    {"experiment_id": "%s", "catalog_name": "main", "schema_name": "cost",
                     "assessments_config": {"sample": 1.0,
                      "assessments": [{"name": "safety"}, {"name": "chunk_relevance"}]}}""")
                    .formatted(EXPERIMENT).getBytes(StandardCharsets.UTF_8))).get();
            List<String> probes = new ArrayList<>();
            // traces until the monitor is applied to one, then a known workload of ten more
            await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(60)).until(() -> {
                probes.add(send(producer, topics, "probe-" + probes.size()));
                return probes.stream().anyMatch(id -> !feedback.get(id).isEmpty());
            });
            List<String> workload = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                workload.add(send(producer, topics, "trace-" + i));
            }

            // each workload trace: safety, one chunk_relevance per chunk, the precision; and every call the
            // endpoint answered is in an Assessment (probes the monitor was applied to are judged too); one sample
            // of both, taken together
            Snapshot done = await().atMost(Duration.ofMinutes(1)).until(
                    () -> new Snapshot(callAssessments(feedback.all().values()), llm.usages()),
                    s -> s.calls().size() == s.usages().size() && workload.stream()
                            .allMatch(id -> feedback.get(id).size() == 2 + CHUNKS.size()));
            List<Assessment> calls = done.calls();
            List<FakeOpenAiServer.Usage> usages = done.usages();
            assertThat(calls).hasSize(usages.size()).isNotEmpty();

            for (Assessment a : calls) {
                assertThat(a.metadata()).as("metadata of %s", a)
                        .containsKeys(Verdict.INPUT_TOKENS_KEY, Verdict.OUTPUT_TOKENS_KEY, Verdict.COST_KEY);
                long in = Long.parseLong(a.metadata().get(Verdict.INPUT_TOKENS_KEY));
                long out = Long.parseLong(a.metadata().get(Verdict.OUTPUT_TOKENS_KEY));
                assertThat(new BigDecimal(a.metadata().get(Verdict.COST_KEY))).as("cost of %s", a)
                        .isEqualByComparingTo(INPUT_PRICE.multiply(BigDecimal.valueOf(in))
                                .add(OUTPUT_PRICE.multiply(BigDecimal.valueOf(out)))
                                .divide(BigDecimal.valueOf(1_000_000)));
            }
            assertThat(sum(calls, Verdict.INPUT_TOKENS_KEY))
                    .isEqualTo(usages.stream().mapToLong(FakeOpenAiServer.Usage::promptTokens).sum());
            assertThat(sum(calls, Verdict.OUTPUT_TOKENS_KEY))
                    .isEqualTo(usages.stream().mapToLong(FakeOpenAiServer.Usage::completionTokens).sum());

            for (String judge : CALLING_JUDGES) {
                List<Assessment> ofJudge = calls.stream().filter(a -> a.assessmentName().equals(judge)).toList();
                assertThat(ofJudge).as(judge).isNotEmpty();
                assertThat(metrics.count("judge.tokens", "experiment_id", EXPERIMENT, "judge", judge, "kind",
                        "input")).as(judge).isEqualTo(sum(ofJudge, Verdict.INPUT_TOKENS_KEY));
                assertThat(metrics.count("judge.tokens", "experiment_id", EXPERIMENT, "judge", judge, "kind",
                        "output")).as(judge).isEqualTo(sum(ofJudge, Verdict.OUTPUT_TOKENS_KEY));
                double cost = ofJudge.stream().mapToDouble(a -> Double.parseDouble(a.metadata()
                        .get(Verdict.COST_KEY))).sum();
                assertThat(metrics.count("judge.cost.usd", "experiment_id", EXPERIMENT, "judge", judge))
                        .as(judge).isPositive().isCloseTo(cost, offset(1e-12));
            }
        }
    }

    private static Properties props(FakeOpenAiServer llm) {
        Properties props = LlmServiceProps.of(broker.bootstrapServers(), dir, llm);
        props.put("trace-monitor.llm.price." + MODEL + ".input", INPUT_PRICE.toPlainString());
        props.put("trace-monitor.llm.price." + MODEL + ".output", OUTPUT_PRICE.toPlainString());
        return props;
    }

    private record Snapshot(List<Assessment> calls, List<FakeOpenAiServer.Usage> usages) {
    }

    private static String send(KafkaProducer<String, byte[]> producer, Topics topics, String id) throws Exception {
        producer.send(new ProducerRecord<>(topics.traces(), id, TestTraces.rag(id, EXPERIMENT,
                "How do I reset my password?", "Use Settings.", CHUNKS))).get();
        return id;
    }

    private static List<Assessment> callAssessments(Collection<List<Assessment>> feedback) {
        return feedback.stream().flatMap(List::stream).filter(a -> CALLING_JUDGES.contains(a.assessmentName()))
                .toList();
    }

    private static long sum(List<Assessment> assessments, String key) {
        return assessments.stream().mapToLong(a -> Long.parseLong(a.metadata().get(key))).sum();
    }
}
