package dev.tracemonitor.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ChildJvm;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once under SIGKILL: the service runs as a child JVM ({@link ChaosServiceMain}) against a real in-JVM KRaft
 * broker; while 20,000 traces are produced it is killed with SIGKILL and restarted, at least five times: at random
 * moments, in the middle of a flush with its data files written but not yet committed to Delta, and in the middle of
 * a flush right after its Delta commit, before its Kafka offset commit (the restart must then trust the table, whose
 * positions are ahead of the group's offsets). The sink is held at those points through the {@link SinkProbe}, not
 * by timing. Afterwards the trace_logs table holds each trace exactly once, and each sampled (trace, judge) has
 * exactly one Assessment: in the trace_logs rows, in the trace_assessments table and on the trace-feedback topic
 * (read_committed).
 *
 * <p>{@code -Dchaos.traces=N} and {@code -Dchaos.kills=K} (at least 3) change the volume and the number of kills; the
 * seed of the random kill moments is logged ({@code -Dchaos.seed=S} repeats a run's schedule).
 */
class ServiceChaosTest {

    private static final Logger log = LoggerFactory.getLogger(ServiceChaosTest.class);
    private static final int TRACES = Integer.getInteger("chaos.traces", 20_000);
    private static final int KILLS = Math.max(3, Integer.getInteger("chaos.kills", 5));
    private static final String SINK_GROUP = "chaos-sink";
    /** The assessments sink's group, as DESIGN.md names it: {@code <sink group>-assessments}. */
    private static final String ASSESSMENTS_GROUP = SINK_GROUP + "-assessments";
    private static final String EXPERIMENT = "7";
    private static final MonitorConfig MONITOR = new MonitorConfig(EXPERIMENT, "main", "chaos",
            new MonitorConfig.AssessmentsConfig(0.5, List.of(
                    MonitorConfig.JudgeConfig.builtin("safety", null),
                    MonitorConfig.JudgeConfig.builtin("relevance_to_query", 0.3),
                    new MonitorConfig.JudgeConfig(null, Map.of("tone", List.of("The response is polite.")), 0.2))));
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @RegisterExtension
    static final TestBroker broker = TestBroker.forKilledChildren();

    @TempDir
    static Path dir;

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @Test
    void sigkilledAndRestartedServiceWritesEveryTraceAndEveryAssessmentExactlyOnce() throws Exception {
        long started = System.nanoTime();
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        log.info("chaos seed {} (repeat with -Dchaos.seed={}); {} traces, {} kills", seed, seed, TRACES, KILLS);
        Topics topics = Topics.defaults();
        String warehouse = dir.resolve("warehouse").toString();
        TableAddress table = new TableAddress(MONITOR.catalogName(), MONITOR.schemaName(), EXPERIMENT);
        Path childLog = Path.of("target", "chaos-child.log").toAbsolutePath();
        Files.deleteIfExists(childLog);
        SinkProbe probe = new SinkProbe(dir.resolve("probe"));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        settings.put(ServiceConfig.APPLICATION_ID_CONFIG, "chaos");
        settings.put(ServiceConfig.SINK_GROUP_ID_CONFIG, SINK_GROUP);
        settings.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(ServiceConfig.WAREHOUSE_CONFIG, warehouse);
        settings.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        settings.put(ServiceConfig.TOPIC_PARTITIONS_CONFIG, "3");
        settings.put("session.timeout.ms", "4000");
        settings.put("heartbeat.interval.ms", "500");

        List<DemoRecord> records = new DemoTraces(seed, EXPERIMENT, 1_750_000_000_000L).generate(TRACES, 0);
        Set<String> traceIds = new HashSet<>();
        records.forEach(r -> traceIds.add(r.key()));
        assertThat(traceIds).hasSize(TRACES);
        Set<String> expectedAssessments = ExactlyOnceChecks.expectedAssessments(MONITOR, traceIds);

        ChildJvm child = startChild(probe, settings, childLog);
        AtomicInteger produced = new AtomicInteger();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producerThread;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.monitorConfig(), TestTraces.utf8(EXPERIMENT), MonitorConfigCodec.encode(MONITOR))).get();
            awaitAccepted(topics.monitorStatus());

            // 90% of the traces in small paced batches (~60 s), so that kills land while traces are flowing; the
            // rest is a reserve: a batch for each held kill (a hold waits for a commit with data, so there must be
            // some), then all of it once the kills are done
            Semaphore reserve = new Semaphore(0);
            producerThread = new Thread(() -> {
                try {
                    int paced = TRACES * 9 / 10;
                    int batch = Math.max(1, paced / 240);
                    for (int i = 0; i < records.size(); i += batch) {
                        if (i >= paced) {
                            reserve.acquire();
                        }
                        for (DemoRecord r : records.subList(i, Math.min(records.size(), i + batch))) {
                            producer.send(new ProducerRecord<>(topics.traces(), TestTraces.utf8(r.key()), r.value()));
                        }
                        producer.flush();
                        produced.set(Math.min(records.size(), i + batch));
                        if (i < paced) {
                            Thread.sleep(250);
                        }
                    }
                } catch (Throwable e) {
                    producerFailure.set(e);
                }
            }, "chaos-producer");
            producerThread.start();

            String traceLogs = SinkTableKind.TRACE_LOGS.path(table, warehouse);
            String assessments = SinkTableKind.TRACE_ASSESSMENTS.path(table, warehouse);
            // the kills start once the tables exist, so that they also interrupt flushes that have commits to make
            ChildJvm first = child;
            await().atMost(Duration.ofSeconds(90)).failFast("the child died", () -> !first.isAlive())
                    .until(() -> DeltaRows.rows(traceLogs) > 0 && DeltaRows.rows(assessments) > 0);
            List<String> killLog = new ArrayList<>();
            int heldKills = 0;
            for (int kill = 1; kill <= KILLS; kill++) {
                String how;
                int exit;
                switch (kill % 4) {
                    case 1, 3 -> {
                        SinkProbe.Hold hold = kill % 4 == 1 ? SinkProbe.Hold.BEFORE_DELTA_COMMIT
                                : SinkProbe.Hold.AFTER_DELTA_COMMIT;
                        reserve.release();
                        SinkProbe.Event held = killWhenHeld(probe, child, hold);
                        exit = child.awaitExit();
                        heldKills++;
                        how = "held " + hold + " of version " + held.version() + " of " + held.table() + " by "
                                + held.thread();
                        if (hold == SinkProbe.Hold.AFTER_DELTA_COMMIT) {
                            assertTableAheadOfKafkaOffsets(held, topics);
                        }
                    }
                    default -> {
                        long delay = 1_000 + random.nextInt(5_000);
                        Thread.sleep(delay); // a random moment: no condition to await, the point is not to choose one
                        exit = child.kill();
                        how = "after " + delay + " ms";
                    }
                }
                List<SinkProbe.Event> events = probe.events(child.pid());
                String entry = String.format("kill %d (pid %d) %s: exit %d, produced %d, last probe event: %s", kill,
                        child.pid(), how, exit, produced.get(), events.isEmpty() ? null : events.get(events.size() - 1));
                killLog.add(entry);
                log.info(entry);
                assertThat(exit).as("exit code of a SIGKILLed JVM (128 + 9)").isEqualTo(ChildJvm.SIGKILLED);
                child = startChild(probe, settings, childLog);
            }
            reserve.release(records.size());
            producerThread.join(TIMEOUT.toMillis());
            assertThat(producerFailure.get()).isNull();
            assertThat(produced.get()).isEqualTo(TRACES);
            log.info("kills: {}", killLog);
            assertThat(heldKills).as("kills in the middle of a flush, before and after its Delta commit; %s", killLog)
                    .isGreaterThanOrEqualTo(2);

            ChildJvm last = child;
            await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(2))
                    .failFast("the child died", () -> !last.isAlive())
                    .until(() -> DeltaRows.rows(traceLogs) >= TRACES
                            && DeltaRows.rows(assessments) >= expectedAssessments.size());
            assertThat(child.stop(Duration.ofMinutes(1))).as("exited after SIGTERM").isTrue();
            assertThat(child.exitValue()).as("exit status after SIGTERM").isIn(0, 143);

            List<String> ids = DeltaRows.traceIds(traceLogs);
            assertThat(ids).as("trace_logs rows").hasSize(TRACES);
            assertThat(new HashSet<>(ids)).as("distinct trace_ids").hasSize(TRACES).isEqualTo(traceIds);

            List<DeltaRows.AssessmentKey> inTraceLogs = DeltaRows.traceLogsAssessments(traceLogs);
            List<DeltaRows.AssessmentKey> inTable = DeltaRows.assessmentRows(assessments);
            ExactlyOnceChecks.assertExactlyOncePerTraceAndJudge("trace_logs.assessments", inTraceLogs, expectedAssessments);
            ExactlyOnceChecks.assertExactlyOncePerTraceAndJudge("trace_assessments", inTable, expectedAssessments);
            assertThat(inTable).as("late assessments (the scoring deadline is 10 minutes)")
                    .noneMatch(DeltaRows.AssessmentKey::late);

            List<DeltaRows.AssessmentKey> onTopic =
                    ExactlyOnceChecks.feedbackOnTopic(broker.bootstrapServers(), topics.feedback());
            ExactlyOnceChecks.assertExactlyOncePerTraceAndJudge("trace-feedback (read_committed)", onTopic, expectedAssessments);
            log.info("{} traces, {} assessments exactly once after {} kills ({} mid-flush) in {} s", TRACES,
                    expectedAssessments.size(), KILLS, heldKills, (System.nanoTime() - started) / 1_000_000_000);
        } finally {
            child.close();
        }
    }

    private static ChildJvm startChild(SinkProbe probe, Map<String, String> settings, Path log) throws Exception {
        probe.clearHold();
        return ChaosServiceMain.start(dir, probe, settings, log);
    }

    /** Asks the child's sinks to stop at {@code hold}, and kills the child once one has; the event of that sink. */
    private static SinkProbe.Event killWhenHeld(SinkProbe probe, ChildJvm child, SinkProbe.Hold hold)
            throws Exception {
        probe.requestHold(hold);
        SinkProbe.Event held = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .failFast("the child died", () -> !child.isAlive())
                .until(() -> probe.first(child.pid(), hold.held), Optional::isPresent).orElseThrow();
        child.kill();
        probe.clearHold();
        return held;
    }

    /**
     * The held commit's table positions (version + 1 per partition) are ahead of the offsets the sink's group holds in
     * Kafka: a restart that resumed from Kafka's offsets would read rows the table already has.
     */
    private static void assertTableAheadOfKafkaOffsets(SinkProbe.Event held, Topics topics) throws Exception {
        Map<String, String> topicOfGroup = Map.of(SINK_GROUP, topics.assessed(), ASSESSMENTS_GROUP, topics.feedback());
        assertThat(held.transactions()).as("the held commit's transaction ids").isNotEmpty();
        try (Admin admin = Admin.create(broker.clientProperties())) {
            for (Map.Entry<String, Long> txn : held.transactions().entrySet()) {
                String appId = txn.getKey();
                Map.Entry<String, String> group = topicOfGroup.entrySet().stream()
                        .filter(g -> appId.startsWith(g.getKey() + "-" + g.getValue() + "-")).findFirst()
                        .orElseThrow(() -> new AssertionError("transaction id of no sink group: " + appId));
                int partition = Integer.parseInt(appId.substring(appId.lastIndexOf('-') + 1));
                OffsetAndMetadata kafka = admin.listConsumerGroupOffsets(group.getKey())
                        .partitionsToOffsetAndMetadata().get().get(new TopicPartition(group.getValue(), partition));
                assertThat(kafka == null ? -1 : kafka.offset()).as("Kafka offset of %s, table version %s", appId,
                        txn.getValue()).isLessThanOrEqualTo(txn.getValue());
            }
        }
    }

    private static void awaitAccepted(String statusTopic) {
        await().atMost(Duration.ofSeconds(60)).until(() -> readCommitted(statusTopic).stream()
                .map(r -> MonitorStatus.decode(r.value()))
                .anyMatch(s -> EXPERIMENT.equals(s.experimentId()) && MonitorStatus.ACCEPTED.equals(s.status())));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return ExactlyOnceChecks.readCommitted(broker.bootstrapServers(), topic);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
