package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.judges.llm.LlmJudgeBackend;
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
import dev.tracemonitor.testing.fakellm.RecordedRequest;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The service with the llm backend against a misbehaving OpenAI-compatible endpoint, on a real broker. */
class JudgeFaultToleranceTest {

    private static final int TRACES = 120;
    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    private static Properties serviceProps(String name, FakeOpenAiServer llm, String timeout) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
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

    private static final String SAFETY_AND_RELEVANCE = "[{\"name\": \"safety\"}, {\"name\": \"relevance_to_query\"}]";

    /** Publishes the monitor, waits until a probe trace shows it is applied, then produces {@code n} traces. */
    private static List<String> produce(ServiceConfig config, String experiment, int n) throws Exception {
        return produce(config, experiment, SAFETY_AND_RELEVANCE, 0.5, n,
                id -> TestTraces.chat(id, experiment, "How do I reset my password?", "Use Settings."), () -> { });
    }

    /**
     * Publishes a monitor with these assessments at this sample rate, waits until a probe trace (a chat trace, u in
     * [0.5, 1)) shows it is applied, runs {@code beforeTraces}, then produces {@code n} traces made by {@code traceOf}.
     */
    private static List<String> produce(ServiceConfig config, String experiment, String assessments, double sample,
                                        int n, Function<String, byte[]> traceOf, Runnable beforeTraces)
            throws Exception {
        Topics topics = config.topics();
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
             TopicCollector<Trace> assessed = new TopicCollector<>(broker.bootstrapServers(), topics.assessed(),
                     TraceJsonCodec::decode)) {
            producer.send(new ProducerRecord<>(topics.monitorConfig(), experiment, ("""
                    {"experiment_id": "%s", "catalog_name": "main", "schema_name": "faults",
                     "assessments_config": {"sample": %s, "assessments": %s}}""")
                    .formatted(experiment, sample, assessments).getBytes(StandardCharsets.UTF_8))).get();
            List<String> probes = new ArrayList<>();
            await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> {
                String probe = TestTraces.idWithU(0.5, 1.0, experiment + "-probe-" + probes.size());
                probes.add(probe);
                producer.send(new ProducerRecord<>(topics.traces(), probe,
                        TestTraces.chat(probe, experiment, "probe", "probe"))).get();
                return probes.stream().anyMatch(p -> !assessed.get(p).isEmpty());
            });
            beforeTraces.run();
            for (int i = 0; i < n; i++) {
                String id = experiment + "-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>(topics.traces(), id, traceOf.apply(id)));
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
                 TopicCollector<Assessment> feedback = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().feedback(), TraceJsonCodec::decodeAssessment);
                 TopicCollector<Trace> assessed = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().assessed(), TraceJsonCodec::decode)) {
                List<String> ids = produce(config, "faults", TRACES);
                List<String> inTable = await().atMost(Duration.ofMinutes(2))
                        .until(() -> tableIds(config, "faults"), table -> table.containsAll(ids));
                assertThat(inTable).doesNotHaveDuplicates();
                // the two topics are read by two consumers: wait until both have every trace's records, then assert
                // on what they had then
                Outputs outputs = await().atMost(Duration.ofSeconds(30))
                        .until(() -> Outputs.of(ids, assessed, feedback), o -> o.complete(ids));

                Set<String> sampled = ids.stream().filter(id -> Sampler.u(id) < 0.5).collect(Collectors.toSet());
                for (String id : ids) {
                    List<Assessment> published = outputs.feedback().get(id);
                    List<Trace> rows = outputs.assessed().get(id);
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
                 Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                service.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> service.streams().state().isRunningOrRebalancing()
                        && service.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
                double rebalancesAtStart = rebalances(service);
                List<String> ids = produce(config, "hang", TRACES);
                List<String> unsampled = ids.stream().filter(id -> Sampler.u(id) >= 0.5).toList();
                List<String> sampled = ids.stream().filter(id -> Sampler.u(id) < 0.5).toList();

                await().atMost(Duration.ofSeconds(60)).until(() -> tableIds(config, "hang").containsAll(unsampled));
                await().atMost(Duration.ofSeconds(30)).until(() -> committedEqualsEnd(admin, "hang", config.topics().traces()));
                // for 8 s, past max.poll.interval.ms (5 s), with every judge call hanging: no judge answers, and the
                // stream thread keeps polling (no rebalance, still RUNNING) all along
                await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                        .until(() -> service.metrics().count("judge.outcomes") == 0
                                && rebalances(service) == rebalancesAtStart
                                && service.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);

                assertThat(llm.requestCount()).as("calls are hanging in flight").isPositive();
                assertThat(tableIds(config, "hang")).doesNotContainAnyElementsOf(sampled).doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void anEndpointThatRefusesConnectionsForTwoMinutesCostsNoAssessmentAndUnsampledTracesFlowThroughout()
            throws Exception {
        Duration window = Duration.ofMinutes(2);
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(Behavior.always(Reply.yes()).withLatency(Duration.ofMillis(20)))) {
            Properties props = serviceProps("outage", llm, "PT2S");
            // the budget outlasts the window and the breaker's 15 s probes after it
            props.put(ServiceConfig.JUDGE_OUTAGE_BUDGET_CONFIG, "PT5M");
            props.put(ServiceConfig.JUDGE_MAX_IN_MEMORY_CONFIG, "16");
            ServiceConfig config = ServiceConfig.of(props);
            try (TraceMonitorService service = startService(config);
                 TopicCollector<Assessment> feedback = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().feedback(), TraceJsonCodec::decodeAssessment);
                 TopicCollector<Trace> assessed = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().assessed(), TraceJsonCodec::decode);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                         new StringSerializer(), new ByteArraySerializer())) {
                java.util.concurrent.atomic.AtomicLong outageStart = new java.util.concurrent.atomic.AtomicLong();
                List<String> ids = new ArrayList<>(produce(config, "outage", SAFETY_AND_RELEVANCE, 0.5, TRACES,
                        id -> TestTraces.chat(id, "outage", "How do I reset my password?", "Use Settings."), () -> {
                            outageStart.set(System.nanoTime());
                            llm.refuseConnectionsFor(window);
                        }));
                // batch after batch of unsampled traces, each in Delta before the next, until the last quarter of the
                // window: none waits for the endpoint
                int batches = 0;
                while (System.nanoTime() - outageStart.get() < window.multipliedBy(3).dividedBy(4).toNanos()) {
                    List<String> batch = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        String id = TestTraces.idWithU(0.5, 1.0, "outage-during-" + batches + "-" + i);
                        batch.add(id);
                        producer.send(new ProducerRecord<>(config.topics().traces(), id,
                                TestTraces.chat(id, "outage", "Where is my order?", "On its way.")));
                    }
                    producer.flush();
                    batches++;
                    ids.addAll(batch);
                    List<String> unsampled = ids.stream().filter(id -> Sampler.u(id) >= 0.5).toList();
                    await().atMost(Duration.ofSeconds(20)).until(() -> tableIds(config, "outage").containsAll(unsampled));
                    assertThat(llm.refusingConnections()).as("unsampled traces reached Delta during the outage").isTrue();
                    assertThat(service.metrics().pendingTasks().get()).as("tasks in memory during the outage")
                            .isLessThanOrEqualTo(16);
                }
                assertThat(batches).isGreaterThan(1);

                List<String> inTable = await().atMost(Duration.ofMinutes(4))
                        .until(() -> tableIds(config, "outage"), table -> table.containsAll(ids));
                assertThat(Duration.ofNanos(System.nanoTime() - outageStart.get())).isGreaterThan(window);
                assertThat(inTable).doesNotHaveDuplicates();
                Outputs outputs = await().atMost(Duration.ofSeconds(30))
                        .until(() -> Outputs.of(ids, assessed, feedback), o -> o.complete(ids));
                for (String id : ids) {
                    List<Assessment> published = outputs.feedback().get(id);
                    if (Sampler.u(id) < 0.5) {
                        assertThat(published).as("judged once after recovery: %s", id)
                                .extracting(Assessment::assessmentName)
                                .containsExactlyInAnyOrder("safety", "relevance_to_query");
                        assertThat(published).as("no error Assessment (RETRIES_EXHAUSTED or other)")
                                .allMatch(a -> !a.feedback().isError());
                    } else {
                        assertThat(published).isEmpty();
                    }
                }
                assertThat(llm.refusingConnections()).isFalse();
            }
        }
    }

    @Test
    void theRateLimitCountsEveryChunkCallAndHalvesOn429sThenRecoversWithoutRepeatingAnsweredChunks() throws Exception {
        int rate = 5;
        int traces = 12;
        int chunks = 5;
        Behavior burst = (request, call) -> call >= 15 && call < 25 ? Reply.rateLimited(Duration.ofSeconds(1))
                : Reply.yes().after(Duration.ofMillis(20));
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(burst)) {
            Properties props = serviceProps("throttle", llm, "PT5S");
            props.put(ServiceConfig.JUDGE_RATE_LIMIT_CONFIG, Integer.toString(rate));
            ServiceConfig config = ServiceConfig.of(props);
            LlmJudgeBackend backend = (LlmJudgeBackend) JudgeBackends.create(config);
            List<Double> rates = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.ScheduledExecutorService sampler =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> rates.add(backend.callsPerSecond(null)), 0, 20,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            try (TraceMonitorService service = startService(config, backend, TraceMonitorMetrics.inMemory());
                 TopicCollector<Assessment> feedback = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().feedback(), TraceJsonCodec::decodeAssessment)) {
                List<String> ids = produce(config, "throttle", "[{\"name\": \"chunk_relevance\", \"sample_rate\": 1.0}]",
                        1.0, traces, id -> TestTraces.rag(id, "throttle", "What is the refund policy?", "30 days.",
                                java.util.stream.IntStream.range(0, chunks).mapToObj(i -> "Chunk " + i + " of " + id)
                                        .toList()), () -> { });
                await().atMost(Duration.ofMinutes(2)).until(() -> ids.stream()
                        .allMatch(id -> feedback.get(id).size() == chunks + 1));
                for (String id : ids) {
                    assertThat(feedback.get(id)).allMatch(a -> !a.feedback().isError(), "no error Assessment");
                }
            } finally {
                sampler.shutdownNow();
            }
            assertThat(llm.maxRequestsInAnyWindow(Duration.ofSeconds(1))).as("arrivals in any sliding second")
                    .isLessThanOrEqualTo(rate);
            List<RecordedRequest> answered = llm.requests().stream().filter(r -> r.index() < 15 || r.index() >= 25)
                    .toList();
            assertThat(answered).as("one answered call per chunk").hasSize(traces * chunks);
            assertThat(answered).extracting(RecordedRequest::text).doesNotHaveDuplicates();
            assertThat(llm.requestCount()).as("each throttled call repeated once, no answered chunk repeated")
                    .isEqualTo(traces * chunks + 10);
            assertThat(rates.stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isLessThan(rate / 2.0 + 0.01);
            assertThat(rates.get(rates.size() - 1)).as("recovered").isEqualTo(rate);
        }
    }

    @Test
    void underOverloadTheEngineStaysBoundedTheBacklogRisesAndDrainsAndEveryTaskEndsInOneAssessment() throws Exception {
        int bound = 8;
        try (FakeOpenAiServer llm = FakeOpenAiServer.start(Behavior.always(Reply.yes()).withLatency(Duration.ofMillis(250)))) {
            Properties props = serviceProps("overload", llm, "PT5S");
            props.put(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, "4");
            props.put(ServiceConfig.JUDGE_MAX_IN_MEMORY_CONFIG, Integer.toString(bound));
            props.put(ServiceConfig.SCORING_DEADLINE_CONFIG, "PT15S");
            ServiceConfig config = ServiceConfig.of(props);
            TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
            List<Double> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Double> backlog = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.ScheduledExecutorService sampler =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> {
                held.add(metrics.registry().get("trace_monitor.judge.pending_tasks").gauge().value());
                backlog.add(metrics.registry().get("trace_monitor.judge.backlog").gauge().value());
            }, 0, 20, java.util.concurrent.TimeUnit.MILLISECONDS);
            try (TraceMonitorService service = startService(config, JudgeBackends.create(config), metrics);
                 TopicCollector<Assessment> feedback = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().feedback(), TraceJsonCodec::decodeAssessment);
                 TopicCollector<Trace> assessed = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().assessed(), TraceJsonCodec::decode)) {
                int n = 150;
                List<String> ids = produce(config, "overload", SAFETY_AND_RELEVANCE, 1.0, n,
                        id -> TestTraces.chat(id, "overload", "How do I reset my password?", "Use Settings."), () -> { });
                await().atMost(Duration.ofMinutes(3)).until(() -> ids.stream()
                        .allMatch(id -> feedback.get(id).size() >= 2 && !assessed.get(id).isEmpty()));
                await().atMost(Duration.ofSeconds(10)).until(() -> backlog.get(backlog.size() - 1) == 0.0);
                for (String id : ids) {
                    assertThat(feedback.get(id)).as("one Assessment per judge of %s", id)
                            .extracting(Assessment::assessmentName)
                            .containsExactlyInAnyOrder("safety", "relevance_to_query");
                    assertThat(assessed.get(id)).hasSize(1);
                }
                assertThat(metrics.count("feedback.late")).as("the deadline released some traces first").isPositive();
            } finally {
                sampler.shutdownNow();
            }
            assertThat(held.stream().mapToDouble(Double::doubleValue).max().orElseThrow())
                    .as("tasks in the engine's memory").isLessThanOrEqualTo(bound);
            assertThat(backlog.stream().mapToDouble(Double::doubleValue).max().orElseThrow())
                    .as("the backlog rose").isGreaterThanOrEqualTo(100);
        }
    }

    /** What the collectors of traces-assessed and trace-feedback had at one moment, by trace id. */
    private record Outputs(Map<String, List<Trace>> assessed, Map<String, List<Assessment>> feedback) {

        static Outputs of(List<String> ids, TopicCollector<Trace> assessed, TopicCollector<Assessment> feedback) {
            Map<String, List<Trace>> traces = new HashMap<>();
            Map<String, List<Assessment>> assessments = new HashMap<>();
            for (String id : ids) {
                traces.put(id, List.copyOf(assessed.get(id)));
                assessments.put(id, List.copyOf(feedback.get(id)));
            }
            return new Outputs(traces, assessments);
        }

        /** Every trace is assessed, and every Assessment its record carries is on the feedback topic too. */
        boolean complete(List<String> ids) {
            return ids.stream().allMatch(id -> !assessed.get(id).isEmpty()
                    && feedback.get(id).size() >= assessed.get(id).get(0).info().assessments().size());
        }
    }

    /** Started before any collector, so the topics the collectors assign exist. */
    private static TraceMonitorService startService(ServiceConfig config) throws Exception {
        return startService(config, JudgeBackends.create(config), TraceMonitorMetrics.inMemory());
    }

    private static TraceMonitorService startService(ServiceConfig config, dev.tracemonitor.judges.JudgeBackend backend,
                                                    TraceMonitorMetrics metrics) throws Exception {
        TraceMonitorService service = new TraceMonitorService(config, backend, metrics);
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
