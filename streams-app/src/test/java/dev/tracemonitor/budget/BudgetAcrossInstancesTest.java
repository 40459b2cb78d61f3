package dev.tracemonitor.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monitor's {@code max_calls_per_hour} on two service instances sharing the partitions (real broker, llm backend on
 * the fake OpenAI endpoint, the calls window shortened to {@value #WINDOW_SECONDS} s): in one window the two together
 * make exactly the budget's calls, every other sampled evaluation is skipped (counted as skipped_budget, no
 * Assessment), the ledger topic carries one budget_exhausted event, and in the next window judging resumes with a
 * budget_resumed event that counts the skipped evaluations.
 */
class BudgetAcrossInstancesTest {

    private static final int WINDOW_SECONDS = 20;
    private static final int PARTITIONS = 4;
    private static final long BUDGET = 5;
    private static final int BURST = 12;
    private static final String MARK = "BUDGETED-ANSWER";

    @RegisterExtension
    static final TestBroker broker = TestBroker.withSettings(Map.of("offsets.topic.num.partitions", "1",
            "transaction.state.log.num.partitions", "1"));

    @TempDir
    static Path dir;

    @Test
    void twoInstancesTogetherMakeTheBudgetsCallsInAWindowSkipTheRestAndResumeInTheNext() throws Exception {
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(Behavior.always(Reply.yes()));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                     Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
                     new ByteArraySerializer())) {
            TraceMonitorMetrics metricsA = TraceMonitorMetrics.inMemory();
            TraceMonitorMetrics metricsB = TraceMonitorMetrics.inMemory();
            try (TraceMonitorService a = service("a", llm, metricsA);
                 TraceMonitorService b = service("b", llm, metricsB)) {
                // b starts once the monitor is accepted, so both instances have it in force before any trace
                a.start();
                producer.send(new ProducerRecord<>(Topics.DEFAULT_MONITOR_CONFIG, "capped", """
                        {"experiment_id": "capped", "catalog_name": "main", "schema_name": "b",
                         "assessments_config": {"sample": 1.0, "assessments": [{"name": "safety"}]},
                         "budget": {"max_calls_per_hour": %d}}""".formatted(BUDGET).getBytes(StandardCharsets.UTF_8)))
                        .get();
                await().atMost(Duration.ofSeconds(60)).until(() -> TopicReader.readToEnd(broker.bootstrapServers(),
                        Topics.DEFAULT_MONITOR_STATUS, 0).stream().anyMatch(r -> "capped".equals(
                        new String(r.key(), StandardCharsets.UTF_8))));
                b.start();
                await().atMost(Duration.ofSeconds(90)).until(() -> runningWithTasks(a) && runningWithTasks(b));

                long burstWindow = awaitWindowStart();
                List<String> burst = keysOnEveryPartition("capped-", BURST / PARTITIONS);
                for (String key : burst) {
                    send(producer, key, "capped", MARK);
                }
                await().atMost(Duration.ofSeconds(WINDOW_SECONDS)).until(() -> outcomes(metricsA, metricsB, "yes")
                        + outcomes(metricsA, metricsB, "skipped_budget") == BURST);
                assertThat(currentWindowStart()).as("the burst was judged within one window").isEqualTo(burstWindow);

                assertThat(outcomes(metricsA, metricsB, "yes")).isEqualTo(BUDGET);
                assertThat(outcomes(metricsA, metricsB, "skipped_budget")).isEqualTo(BURST - BUDGET);
                assertThat(llm.requests().stream().filter(r -> r.user().contains(MARK)).count())
                        .as("calls to the endpoint for the capped monitor").isEqualTo(BUDGET);
                assertThat(sampled(metricsA)).as("instance a judged some of the burst").isPositive();
                assertThat(sampled(metricsB)).as("instance b judged some of the burst").isPositive();
                assertThat(feedbackFor(burst)).as("skipped evaluations give no Assessment").isEqualTo(BUDGET);
                List<JsonNode> exhausted = await().atMost(Duration.ofSeconds(10)).until(
                        () -> events(BudgetLedger.EXHAUSTED), list -> !list.isEmpty());
                assertThat(exhausted).hasSize(1);
                assertThat(exhausted.get(0).get("window_start").asLong()).isEqualTo(burstWindow);
                assertThat(exhausted.get(0).get("used").asLong()).isEqualTo(BUDGET);

                long next = burstWindow + WINDOW_SECONDS * 1000L;
                await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(WINDOW_SECONDS + 5))
                        .until(() -> currentWindowStart() >= next);
                List<String> later = keysOnEveryPartition("capped-later-", 1);
                for (String key : later) {
                    send(producer, key, "capped", MARK);
                }
                await().atMost(Duration.ofSeconds(WINDOW_SECONDS)).until(
                        () -> outcomes(metricsA, metricsB, "yes") == BUDGET + later.size());
                assertThat(outcomes(metricsA, metricsB, "skipped_budget")).isEqualTo(BURST - BUDGET);
                List<JsonNode> resumed = await().atMost(Duration.ofSeconds(10)).until(
                        () -> events(BudgetLedger.RESUMED), list -> !list.isEmpty());
                assertThat(resumed).hasSize(1);
                assertThat(resumed.get(0).get("previous_window_start").asLong()).isEqualTo(burstWindow);
                assertThat(resumed.get(0).get("previous_skipped").asLong()).isEqualTo(BURST - BUDGET);
            }
        }
    }

    private static TraceMonitorService service(String name, FakeOpenAiServer llm, TraceMonitorMetrics metrics) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, "budgeted");
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state-" + name).toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.SINK_ENABLED_CONFIG, "false");
        props.put(ServiceConfig.TOPIC_PARTITIONS_CONFIG, Integer.toString(PARTITIONS));
        props.put(ServiceConfig.JUDGE_BACKEND_CONFIG, "llm");
        props.put(ServiceConfig.LLM_BASE_URL_CONFIG, llm.baseUrl());
        props.put(ServiceConfig.LLM_MODEL_CONFIG, "fake-judge");
        props.put(ServiceConfig.LLM_API_KEY_ENV_CONFIG, "");
        props.put(ServiceConfig.BUDGET_CALLS_WINDOW_CONFIG, "PT" + WINDOW_SECONDS + "S");
        props.put("session.timeout.ms", "6000");
        props.put("heartbeat.interval.ms", "1000");
        ServiceConfig config = ServiceConfig.of(props);
        return new TraceMonitorService(config, JudgeBackends.create(config), metrics);
    }

    /** Running, with active tasks of its own (the group's partitions are shared between the two). */
    private static boolean runningWithTasks(TraceMonitorService service) {
        return service.streams().state() == KafkaStreams.State.RUNNING && service.streams().metadataForLocalThreads()
                .stream().anyMatch(thread -> !thread.activeTasks().isEmpty());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String key, String experiment, String answer)
            throws Exception {
        producer.send(new ProducerRecord<>(Topics.DEFAULT_TRACES, key,
                TestTraces.chat(key, experiment, "How do I reset my password?", answer))).get();
    }

    /** {@code perPartition} keys with this prefix for each partition, by the default partitioner's hash. */
    private static List<String> keysOnEveryPartition(String prefix, int perPartition) {
        List<List<String>> byPartition = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (int i = 0; byPartition.stream().anyMatch(keys -> keys.size() < perPartition); i++) {
            String key = prefix + i;
            List<String> keys = byPartition.get(Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
                    % PARTITIONS);
            if (keys.size() < perPartition) {
                keys.add(key);
            }
        }
        return byPartition.stream().flatMap(List::stream).toList();
    }

    private static long currentWindowStart() {
        long now = System.currentTimeMillis();
        return now - Math.floorMod(now, WINDOW_SECONDS * 1000L);
    }

    /** Waits until a calls window has just begun (at most 2 s in), so that a burst is judged within it. */
    private static long awaitWindowStart() {
        await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(WINDOW_SECONDS + 5))
                .until(() -> System.currentTimeMillis() - currentWindowStart() < 2_000);
        return currentWindowStart();
    }

    private static long outcomes(TraceMonitorMetrics a, TraceMonitorMetrics b, String outcome) {
        return Math.round(a.count("judge.outcomes", "experiment_id", "capped", "outcome", outcome)
                + b.count("judge.outcomes", "experiment_id", "capped", "outcome", outcome));
    }

    private static double sampled(TraceMonitorMetrics metrics) {
        return metrics.count("judge.sampled", "experiment_id", "capped");
    }

    private static long feedbackFor(List<String> traceIds) {
        return TopicReader.readToEnd(broker.bootstrapServers(), Topics.DEFAULT_FEEDBACK, 0).stream()
                .filter(r -> traceIds.contains(new String(r.key(), StandardCharsets.UTF_8))).count();
    }

    private static List<JsonNode> events(String type) {
        Predicate<JsonNode> ofType = node -> node != null && type.equals(node.path("type").asText())
                && "capped".equals(node.path("experiment_id").asText());
        return TopicReader.readToEnd(broker.bootstrapServers(), ServiceConfig.DEFAULT_BUDGET_TOPIC, 0).stream()
                .map(r -> Json.parseOrNull(new String(r.value(), StandardCharsets.UTF_8))).filter(ofType).toList();
    }
}
