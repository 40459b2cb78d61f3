package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service with the llm backend against a misbehaving OpenAI-compatible endpoint, on a real broker. */
class JudgeFaultToleranceTest {

    private static final int TRACES = 120;
    private static KafkaClusterTestKit cluster;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        cluster.close();
    }

    private static Properties serviceProps(String name, FakeOpenAiServer llm, String timeout) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, name);
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, name + "-sink");
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve(name + "-warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        props.put(ServiceConfig.JUDGE_BACKEND_CONFIG, "llm");
        props.put(ServiceConfig.LLM_BASE_URL_CONFIG, llm.baseUrl());
        props.put(ServiceConfig.LLM_MODEL_CONFIG, "fake-judge");
        props.put(ServiceConfig.LLM_API_KEY_ENV_CONFIG, "");
        props.put(ServiceConfig.LLM_TIMEOUT_CONFIG, timeout);
        props.put(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, "8");
        props.put(ServiceConfig.JUDGE_MAX_ATTEMPTS_CONFIG, "6");
        for (String topic : List.of("traces", "monitor-config", "monitor-status", "feedback", "assessed", "dlq")) {
            props.put("trace-monitor.topic." + topic, name + "-" + topic);
        }
        return props;
    }

    /** Publishes the monitor, waits until a probe trace shows it is applied, then produces {@code n} traces. */
    private static List<String> produce(ServiceConfig config, String experiment, int n) throws Exception {
        Topics topics = config.topics();
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
             TopicCollector<Trace> assessed = new TopicCollector<>(cluster.bootstrapServers(), topics.assessed(),
                     TraceJsonCodec::decode)) {
            producer.send(new ProducerRecord<>(topics.monitorConfig(), experiment, """
                    {"experiment_id": "%s", "catalog_name": "main", "schema_name": "faults",
                     "assessments_config": {"sample": 0.5, "assessments": [{"name": "safety"}, {"name": "relevance_to_query"}]}}"""
                    .formatted(experiment))).get();
            List<String> probes = new ArrayList<>();
            await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> {
                String probe = TestTraces.idWithU(0.5, 1.0, experiment + "-probe-" + probes.size());
                probes.add(probe);
                producer.send(new ProducerRecord<>(topics.traces(), probe,
                        new String(TestTraces.chat(probe, experiment, "probe", "probe")))).get();
                return probes.stream().anyMatch(p -> !assessed.get(p).isEmpty());
            });
            for (int i = 0; i < n; i++) {
                String id = experiment + "-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>(topics.traces(), id,
                        new String(TestTraces.chat(id, experiment, "How do I reset my password?", "Use Settings."))));
            }
        }
        return ids;
    }

    @Test
    void rateLimitsServerErrorsAndATimeoutEndInExactlyOneAssessmentPerSampledTraceAndJudge() throws Exception {
        Behavior faults = (request, call) -> {
            if (call < 6) {
                return Reply.rateLimited(Duration.ofSeconds(1));
            }
            if (call == 30) {
                return Reply.hang(Duration.ofSeconds(30));
            }
            if (call % 7 == 3) {
                return Reply.serverError();
            }
            return Reply.yes().after(Duration.ofMillis(20));
        };
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(faults)) {
            ServiceConfig config = ServiceConfig.of(serviceProps("faults", llm, "PT2S"));
            try (TraceMonitorService service = startService(config);
                 TopicCollector<Assessment> feedback = new TopicCollector<>(cluster.bootstrapServers(),
                         config.topics().feedback(), TraceJsonCodec::decodeAssessment);
                 TopicCollector<Trace> assessed = new TopicCollector<>(cluster.bootstrapServers(),
                         config.topics().assessed(), TraceJsonCodec::decode)) {
                List<String> ids = produce(config, "faults", TRACES);
                await().atMost(Duration.ofMinutes(2)).until(() -> tableIds(config, "faults").containsAll(ids));
                List<String> inTable = tableIds(config, "faults");
                assertThat(inTable).doesNotHaveDuplicates();
                await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> !assessed.get(id).isEmpty()));

                Set<String> sampled = ids.stream().filter(id -> Sampler.u(id) < 0.5).collect(Collectors.toSet());
                for (String id : ids) {
                    List<Assessment> published = feedback.get(id);
                    List<Trace> rows = assessed.get(id);
                    assertThat(rows).as("one traces-assessed record for %s", id).hasSize(1);
                    List<String> inTrace = rows.get(0).info().assessments().stream().map(Assessment::assessmentName).toList();
                    if (sampled.contains(id)) {
                        assertThat(published).extracting(Assessment::assessmentName)
                                .containsExactlyInAnyOrder("safety", "relevance_to_query");
                        assertThat(inTrace).containsExactlyInAnyOrder("safety", "relevance_to_query");
                    } else {
                        assertThat(published).isEmpty();
                        assertThat(inTrace).isEmpty();
                    }
                }
                assertThat(llm.requests().stream().filter(r -> r.index() < 6)).hasSize(6);
                assertThat(service.metrics().count("judge.calls", "result", "failed")).isGreaterThanOrEqualTo(6);
            }
        }
    }

    @Test
    void whileEveryJudgeCallHangsUnsampledTracesStillFlowOffsetsCommitAndNoRebalanceHappens() throws Exception {
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(Behavior.always(Reply.hang(Duration.ofMinutes(5))))) {
            Properties props = serviceProps("hang", llm, "PT10M");
            props.put("max.poll.interval.ms", "5000");
            props.put("session.timeout.ms", "6000");
            props.put("heartbeat.interval.ms", "1000");
            ServiceConfig config = ServiceConfig.of(props);
            try (TraceMonitorService service = new TraceMonitorService(config, JudgeBackends.create(config),
                    TraceMonitorMetrics.inMemory());
                 Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                service.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> service.streams().state().isRunningOrRebalancing()
                        && service.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
                double rebalancesAtStart = rebalances(service);
                List<String> ids = produce(config, "hang", TRACES);
                List<String> unsampled = ids.stream().filter(id -> Sampler.u(id) >= 0.5).toList();
                List<String> sampled = ids.stream().filter(id -> Sampler.u(id) < 0.5).toList();

                await().atMost(Duration.ofSeconds(60)).until(() -> tableIds(config, "hang").containsAll(unsampled));
                await().atMost(Duration.ofSeconds(30)).until(() -> committedEqualsEnd(admin, "hang", config.topics().traces()));
                long hangingSince = System.nanoTime();
                await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20)).until(() -> true);

                assertThat(System.nanoTime() - hangingSince).isGreaterThan(Duration.ofSeconds(5).toNanos());
                assertThat(llm.requestCount()).as("calls are hanging in flight").isPositive();
                assertThat(service.metrics().count("judge.outcomes")).as("no judge has answered").isZero();
                assertThat(rebalances(service)).as("stream thread kept polling past max.poll.interval.ms")
                        .isEqualTo(rebalancesAtStart);
                assertThat(service.streams().state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
                assertThat(tableIds(config, "hang")).doesNotContainAnyElementsOf(sampled).doesNotHaveDuplicates();
            }
        }
    }

    /** Started before any collector, so the topics the collectors assign exist. */
    private static TraceMonitorService startService(ServiceConfig config) throws Exception {
        TraceMonitorService service = new TraceMonitorService(config, JudgeBackends.create(config),
                TraceMonitorMetrics.inMemory());
        service.start();
        return service;
    }

    private static List<String> tableIds(ServiceConfig config, String experiment) {
        String path = dev.tracemonitor.sink.SinkTableKind.TRACE_LOGS.path(
                new dev.tracemonitor.sink.TableAddress("main", "faults", experiment),
                config.getString(ServiceConfig.WAREHOUSE_CONFIG));
        return dev.tracemonitor.delta.DeltaTableStats.read(io.delta.kernel.defaults.engine.DefaultEngine.create(
                new org.apache.hadoop.conf.Configuration()), path).map(s -> s.traceIds()).orElse(List.of());
    }

    private static double rebalances(TraceMonitorService service) {
        double total = 0;
        for (Map.Entry<org.apache.kafka.common.MetricName, ? extends Metric> e : service.streams().metrics().entrySet()) {
            if (e.getKey().name().equals("rebalance-total") && e.getKey().group().equals("consumer-coordinator-metrics")) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }

    private static boolean committedEqualsEnd(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        return latest.keySet().stream().allMatch(tp -> committed.get(tp) != null
                && committed.get(tp).offset() >= ends.get(tp).offset());
    }
}
