package dev.tracemonitor.backfill;

import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.topology.Topics;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Issue #17's backfill on a real broker, for the interop test that counts its rows with Spark (a child process: Spark
 * and the service cannot share a classpath). In one JVM: a single-node KRaft cluster (as {@code TestBroker} starts
 * it), the fake OpenAI endpoint, and a {@link TraceMonitorService} on the llm backend with a monitor judging
 * {@code safety} only. The service writes {@value #TRACES} traces to trace_logs and their safety Assessments to
 * trace_assessments; then a backfill with the judge {@value #NEW_JUDGE}, which the monitor does not have, over part
 * of their time range, waits until the sink committed its rows and records the assessments table's version; then the
 * identical backfill again; then a sentinel trace (outside the range) whose safety Assessment the sink commits after
 * anything the repeat published (the topics have one partition), so the repeat is flushed when it is in the table.
 *
 * <pre>
 * java -cp "$(cat streams-app/target/test-classpath.txt):streams-app/target/test-classes:streams-app/target/classes" \
 *      dev.tracemonitor.backfill.BackfillTableWriter WORK_DIR
 * </pre>
 * Writes the facts to {@code WORK_DIR/backfill.properties}: {@code table}, {@code judge}, {@code expected}
 * (the sampled trace ids in the range, comma-separated), {@code recordedVersion} (after the first run's rows are
 * committed), {@code recordedRows}, {@code sentinel}, {@code finalVersion}, {@code finalRows}, and each run's
 * {@code *.judged}, {@code *.plannedPairs}, {@code *.alreadyJudged}.
 */
public final class BackfillTableWriter {

    static final String EXPERIMENT = "bfspark";
    static final String NEW_JUDGE = "relevance_to_query";
    private static final double SAMPLE = 0.5;
    private static final int TRACES = 40;
    private static final Instant FIRST = Instant.parse("2026-11-20T10:00:00Z");
    private static final Duration SPACING = Duration.ofHours(5);
    private static final Instant FROM = FIRST.plus(Duration.ofDays(1));
    private static final Instant TO = FIRST.plus(Duration.ofDays(6));
    private static final String SENTINEL = "bfspark-sentinel";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final MonitorConfig MONITOR = new MonitorConfig(EXPERIMENT, "main", "backfill",
            new MonitorConfig.AssessmentsConfig(1.0, List.of(MonitorConfig.JudgeConfig.builtin("safety", null))));

    private BackfillTableWriter() {
    }

    public static void main(String[] args) throws Exception {
        SinkTestLogging.quiet();
        Path work = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(work);
        List<String> ids = IntStream.range(0, TRACES).mapToObj(i -> EXPERIMENT + "-" + i).toList();
        Set<String> expected = IntStream.range(0, TRACES)
                .filter(i -> !requestTime(i).isBefore(FROM) && requestTime(i).isBefore(TO))
                .mapToObj(ids::get).filter(id -> Sampler.u(id) < SAMPLE).collect(Collectors.toCollection(TreeSet::new));
        String warehouse = work.resolve("warehouse").toString();
        String table = SinkTableKind.TRACE_ASSESSMENTS.path(
                new TableAddress(MONITOR.catalogName(), MONITOR.schemaName(), EXPERIMENT), warehouse);
        Engine engine = DefaultEngine.create(new Configuration());
        Backfill.Request request = new Backfill.Request(EXPERIMENT, FROM, TO, List.of(NEW_JUDGE), SAMPLE, false);
        Properties facts = new Properties();
        facts.setProperty("table", table);
        facts.setProperty("judge", NEW_JUDGE);
        facts.setProperty("expected", String.join(",", expected));
        facts.setProperty("sentinel", SENTINEL);

        try (KafkaClusterTestKit cluster = startBroker();
             FakeOpenAiServer llm = FakeOpenAiServer.start(Behavior.always(Reply.yes()))) {
            String bootstrap = cluster.bootstrapServers();
            ServiceConfig config = ServiceConfig.of(props(bootstrap, work, llm));
            try (TraceMonitorService service = new TraceMonitorService(config, JudgeBackends.create(config),
                    TraceMonitorMetrics.inMemory())) {
                service.start();
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(Topics.DEFAULT_MONITOR_CONFIG, TestTraces.utf8(EXPERIMENT),
                            MonitorConfigCodec.encode(MONITOR))).get();
                    await().atMost(WAIT).until(() -> !TopicReader.readToEnd(bootstrap,
                            Topics.DEFAULT_MONITOR_STATUS, 0).isEmpty());
                    for (int i = 0; i < ids.size(); i++) {
                        producer.send(trace(ids.get(i), requestTime(i)));
                    }
                    producer.flush();
                    await().atMost(WAIT).until(() -> service.sink().stats().rowsCommitted() >= TRACES
                            && service.sink().assessmentStats().rowsCommitted() >= TRACES);
                    log("the service committed " + TRACES + " traces and their safety assessments");

                    record(facts, "first", backfill(config, request));
                    await().atMost(WAIT).until(() -> newJudgeTraceIds(engine, table).containsAll(expected));
                    DeltaTableStats recorded = DeltaTableStats.read(engine, table).orElseThrow();
                    facts.setProperty("recordedVersion", Long.toString(recorded.version()));
                    facts.setProperty("recordedRows", Long.toString(recorded.rows()));
                    log("first run committed at trace_assessments version " + recorded.version());

                    record(facts, "repeat", backfill(config, request));
                    producer.send(trace(SENTINEL, FIRST.minus(Duration.ofDays(1)))).get();
                    await().atMost(WAIT).until(() -> allTraceIds(engine, table).contains(SENTINEL));
                    DeltaTableStats last = DeltaTableStats.read(engine, table).orElseThrow();
                    facts.setProperty("finalVersion", Long.toString(last.version()));
                    facts.setProperty("finalRows", Long.toString(last.rows()));
                    log("the sentinel's assessment committed at trace_assessments version " + last.version());
                }
            }
        }
        Path out = work.resolve("backfill.properties");
        try (OutputStream stream = Files.newOutputStream(out)) {
            facts.store(stream, "BackfillTableWriter");
        }
        log("wrote " + out + ": " + facts);
        // the broker's and the clients' non-daemon threads may outlive their close
        System.exit(0);
    }

    private static KafkaClusterTestKit startBroker() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster;
    }

    private static Properties props(String bootstrap, Path work, FakeOpenAiServer llm) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ServiceConfig.STATE_DIR_CONFIG, work.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, work.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        // one partition per topic: the sentinel's assessment is behind whatever the repeated run published
        props.put(ServiceConfig.TOPIC_PARTITIONS_CONFIG, "1");
        props.put(ServiceConfig.JUDGE_BACKEND_CONFIG, "llm");
        props.put(ServiceConfig.LLM_BASE_URL_CONFIG, llm.baseUrl());
        props.put(ServiceConfig.LLM_MODEL_CONFIG, "fake-judge");
        props.put(ServiceConfig.LLM_API_KEY_ENV_CONFIG, "");
        return props;
    }

    private static ProducerRecord<byte[], byte[]> trace(String id, Instant at) {
        return new ProducerRecord<>(Topics.DEFAULT_TRACES, TestTraces.utf8(id),
                TestTraces.trace(id).experiment(EXPERIMENT).requestTime(at)
                        .request("How do I reset my password?").response("Under Settings.").json());
    }

    private static Instant requestTime(int i) {
        return FIRST.plus(SPACING.multipliedBy(i));
    }

    private static Backfill.Summary backfill(ServiceConfig config, Backfill.Request request) throws Exception {
        try (var backend = JudgeBackends.create(config)) {
            return new Backfill(config, backend, new PrintWriter(new StringWriter())).run(MONITOR, request);
        }
    }

    private static void record(Properties facts, String run, Backfill.Summary summary) {
        facts.setProperty(run + ".judged", Long.toString(summary.judged()));
        facts.setProperty(run + ".plannedPairs", Long.toString(summary.plannedPairs()));
        facts.setProperty(run + ".alreadyJudged", Long.toString(summary.alreadyJudged()));
        log(run + " backfill: " + summary);
    }

    private static List<String> newJudgeTraceIds(Engine engine, String table) {
        return traceIds(engine, table, true);
    }

    private static List<String> allTraceIds(Engine engine, String table) {
        return traceIds(engine, table, false);
    }

    private static List<String> traceIds(Engine engine, String table, boolean newJudgeOnly) {
        List<String> ids = new ArrayList<>();
        var schema = TraceAssessmentsSchema.SCHEMA;
        DeltaTableStats.read(engine, table).ifPresent(stats -> stats.forEachRow(row -> {
            if (!newJudgeOnly || NEW_JUDGE.equals(row.getString(schema.indexOf("assessment_name")))) {
                ids.add(row.getString(schema.indexOf("trace_id")));
            }
        }));
        return ids;
    }

    private static void log(String line) {
        System.out.println("[BackfillTableWriter] " + line);
    }
}
