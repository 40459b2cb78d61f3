package dev.tracemonitor.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.cli.TraceMonitorCommand;
import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ChildJvm;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicReader;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.LlmServiceProps;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.topology.Topics;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trace-monitor backfill} on a real broker, with the service writing the tables and the llm backend on the
 * fake OpenAI endpoint: a judge the monitor did not have is run over the traces of a time range, one Assessment per
 * sampled (trace, judge) pair reaches the assessments table; a run killed (SIGKILL) halfway and run again ends with that
 * same set without judging a committed pair twice; a further identical run publishes nothing; and the dry run's
 * numbers are the ones the real run then makes.
 */
class BackfillTest {

    private static final String EXPERIMENT = "bf";
    private static final String NEW_JUDGE = "relevance_to_query";
    private static final double SAMPLE = 0.5;
    private static final int TRACES = 40;
    private static final Instant FIRST = Instant.parse("2026-11-20T10:00:00Z");
    private static final Duration SPACING = Duration.ofHours(5);
    private static final Instant FROM = FIRST.plus(Duration.ofDays(1));
    private static final Instant TO = FIRST.plus(Duration.ofDays(6));
    private static final MonitorConfig MONITOR = new MonitorConfig(EXPERIMENT, "main", "backfill",
            new MonitorConfig.AssessmentsConfig(1.0, List.of(MonitorConfig.JudgeConfig.builtin("safety", null))));

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    static Path dir;

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @Test
    void aNewJudgeOverARangeGivesOneAssessmentPerSampledPairAcrossAKilledRunItsRestartAndARepeat()
            throws Exception {
        List<String> ids = IntStream.range(0, TRACES).mapToObj(i -> "bf-" + i).toList();
        Set<String> expected = IntStream.range(0, TRACES)
                .filter(i -> !requestTime(i).isBefore(FROM) && requestTime(i).isBefore(TO))
                .mapToObj(ids::get).filter(id -> Sampler.u(id) < SAMPLE).collect(Collectors.toSet());
        assertThat(expected).as("pairs the rule selects in the range").hasSizeGreaterThan(6);
        TableAddress table = new TableAddress(MONITOR.catalogName(), MONITOR.schemaName(), EXPERIMENT);
        String warehouse = dir.resolve("warehouse").toString();
        Engine engine = DefaultEngine.create(new Configuration());
        Backfill.Request request = new Backfill.Request(EXPERIMENT, FROM, TO, List.of(NEW_JUDGE), SAMPLE, false);

        try (FakeOpenAiServer llm = FakeOpenAiServer.start(Behavior.always(Reply.yes()));
             TraceMonitorService service = new TraceMonitorService(ServiceConfig.of(props(llm)),
                     JudgeBackends.create(ServiceConfig.of(props(llm))), TraceMonitorMetrics.inMemory())) {
            service.start();
            writeTraces(ids);
            await().atMost(Duration.ofSeconds(120)).until(() -> service.sink().stats().rowsCommitted() >= TRACES
                    && service.sink().assessmentStats().rowsCommitted() >= TRACES);
            ServiceConfig config = ServiceConfig.of(props(llm));
            // the live service's calls: one per trace, or more when a rebalance re-issued a task in flight
            int liveCalls = llm.requestCount();
            assertThat(liveCalls).isGreaterThanOrEqualTo(TRACES);

            Backfill.Summary dryRun = backfill(config, new Backfill.Request(EXPERIMENT, FROM, TO, List.of(NEW_JUDGE),
                    SAMPLE, true));
            assertThat(dryRun.pairs()).containsExactly(Map.entry(NEW_JUDGE, (long) expected.size()));
            assertThat(dryRun.traces()).isEqualTo(expected.size());
            assertThat(dryRun.judged()).isZero();
            assertThat(dryRunOnTheCommandLine(llm)).contains("would make " + expected.size() + " judge calls");
            assertThat(llm.requestCount()).as("the dry runs call no judge").isEqualTo(liveCalls);

            // slow calls, one at a time, so that the first run is interrupted with pairs left to judge
            llm.behavior(Behavior.always(Reply.yes()).withLatency(Duration.ofSeconds(1)));
            long committedBeforeKill = killAfterCommitted(llm, 2);
            assertThat(committedBeforeKill).as("killed halfway").isBetween(2L, expected.size() - 1L);

            int callsBefore = llm.requestCount();
            Backfill.Summary resumed = backfill(config, request);
            assertThat(resumed.complete()).isTrue();
            assertThat(resumed.alreadyJudged()).as("the killed run's committed pairs").isEqualTo(committedBeforeKill);
            assertThat(resumed.plannedPairs()).as("committed pairs are not judged again")
                    .isEqualTo(expected.size() - committedBeforeKill);
            assertThat(resumed.judged()).isEqualTo(resumed.plannedPairs());
            assertThat(llm.requestCount() - callsBefore).isEqualTo(resumed.judged());
            assertThat(committedBeforeKill + resumed.judged()).as("the dry run's numbers")
                    .isEqualTo(dryRun.plannedPairs());

            await().atMost(Duration.ofSeconds(60)).until(
                    () -> service.sink().assessmentStats().rowsCommitted() >= TRACES + expected.size());
            int feedbackBefore = TopicReader.readToEnd(broker.bootstrapServers(), Topics.DEFAULT_FEEDBACK, 0).size();
            Backfill.Summary repeated = backfill(config, request);
            assertThat(repeated.plannedPairs()).isZero();
            assertThat(repeated.alreadyJudged()).isEqualTo(expected.size());
            assertThat(TopicReader.readToEnd(broker.bootstrapServers(), Topics.DEFAULT_FEEDBACK, 0))
                    .as("a repeated run publishes nothing").hasSize(feedbackBefore);
        }

        List<String> newJudgeRows = new ArrayList<>();
        var schema = TraceAssessmentsSchema.SCHEMA;
        DeltaTableStats.read(engine, SinkTableKind.TRACE_ASSESSMENTS.path(table, warehouse)).orElseThrow()
                .forEachRow(row -> {
                    if (NEW_JUDGE.equals(row.getString(schema.indexOf("assessment_name")))) {
                        newJudgeRows.add(row.getString(schema.indexOf("trace_id")));
                    }
                });
        assertThat(newJudgeRows).as("one row per sampled pair, counted with Delta Kernel")
                .containsExactlyInAnyOrderElementsOf(expected);
        List<Assessment> published = TopicReader.readToEnd(broker.bootstrapServers(), Topics.DEFAULT_FEEDBACK, 0)
                .stream().map(r -> TraceJsonCodec.decodeAssessment(r.value()))
                .filter(a -> a.assessmentName().equals(NEW_JUDGE)).toList();
        assertThat(published).allSatisfy(a -> assertThat(a.assessmentId())
                .isEqualTo(Assessment.deterministicId(a.traceId(), NEW_JUDGE, null)));
    }

    private static Instant requestTime(int i) {
        return FIRST.plus(SPACING.multipliedBy(i));
    }

    private static void writeTraces(List<String> ids) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DEFAULT_MONITOR_CONFIG, TestTraces.utf8(EXPERIMENT),
                    MonitorConfigCodec.encode(MONITOR))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> !TopicReader.readToEnd(broker.bootstrapServers(),
                    Topics.DEFAULT_MONITOR_STATUS, 0).isEmpty());
            for (int i = 0; i < ids.size(); i++) {
                producer.send(new ProducerRecord<>(Topics.DEFAULT_TRACES, TestTraces.utf8(ids.get(i)),
                        TestTraces.trace(ids.get(i)).experiment(EXPERIMENT).requestTime(requestTime(i))
                                .request("How do I reset my password?").response("Under Settings.").json()));
            }
            producer.flush();
        }
    }

    private static Backfill.Summary backfill(ServiceConfig config, Backfill.Request request) throws Exception {
        try (var backend = JudgeBackends.create(config)) {
            return new Backfill(config, backend, new PrintWriter(new StringWriter())).run(MONITOR, request);
        }
    }

    /**
     * Runs the backfill in a child JVM ({@link KilledRun}), kills it with SIGKILL once {@code pairs} of its pairs are
     * committed, and returns how many are committed after its death (its open transaction, if any, is not).
     */
    private static long killAfterCommitted(FakeOpenAiServer llm, int pairs) throws Exception {
        List<String> args = new ArrayList<>();
        props(llm).forEach((k, v) -> args.add(k + "=" + v));
        try (ChildJvm child = ChildJvm.start(KilledRun.class, List.of("-Xmx384m"), args, dir,
                dir.resolve("backfill-child.log"))) {
            await().atMost(Duration.ofSeconds(120)).until(() -> committedPairs() >= pairs || !child.isAlive());
            assertThat(child.isAlive()).as("the backfill is still running: " + child.output()).isTrue();
            assertThat(child.kill()).isEqualTo(ChildJvm.SIGKILLED);
        }
        return committedPairs();
    }

    private static long committedPairs() {
        return TopicReader.readToEnd(broker.bootstrapServers(), Topics.DEFAULT_FEEDBACK, 0).stream()
                .filter(r -> TraceJsonCodec.decodeAssessment(r.value()).assessmentName().equals(NEW_JUDGE)).count();
    }

    /** The backfill of this test as a process of its own, to be killed: its arguments are the service settings. */
    public static final class KilledRun {
        public static void main(String[] args) throws Exception {
            Properties props = new Properties();
            for (String arg : args) {
                props.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            backfill(ServiceConfig.of(props), new Backfill.Request(EXPERIMENT, FROM, TO, List.of(NEW_JUDGE), SAMPLE,
                    false));
        }
    }

    private static String dryRunOnTheCommandLine(FakeOpenAiServer llm) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new TraceMonitorCommand()).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(new StringWriter()));
        List<String> args = new ArrayList<>(List.of("backfill", "--bootstrap-servers", broker.bootstrapServers(),
                "--warehouse", dir.resolve("warehouse").toString(), "--experiment-id", EXPERIMENT,
                "--from", FROM.toString(), "--to", TO.toString(), "--judge", NEW_JUDGE,
                "--sample", Double.toString(SAMPLE), "--dry-run"));
        props(llm).forEach((k, v) -> {
            args.add("-D");
            args.add(k + "=" + v);
        });
        assertThat(cli.execute(args.toArray(String[]::new))).isZero();
        return out.toString();
    }

    private static Properties props(FakeOpenAiServer llm) {
        Properties props = LlmServiceProps.of(broker.bootstrapServers(), dir, llm);
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        props.put(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, "1");
        return props;
    }
}
