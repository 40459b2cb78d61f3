package dev.tracemonitor.chaos;

import dev.tracemonitor.testing.TestBroker;
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
import dev.tracemonitor.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once under SIGKILL: the service runs as a child JVM ({@link ChaosServiceMain}) against a real in-JVM KRaft
 * broker; while 20,000 traces are produced it is killed with SIGKILL at random moments, at (or a random few hundred
 * milliseconds after) the start of a Delta flush, and right after a flush's Delta commit (before its Kafka offset
 * commit), and restarted each time. Afterwards the trace_logs table holds each trace exactly once, and each sampled
 * (trace, judge) has exactly one Assessment: in the trace_logs rows, in the trace_assessments table and on the
 * trace-feedback topic (read_committed).
 *
 * <p>{@code -Dchaos.traces=N} and {@code -Dchaos.kills=K} change the volume and the number of kills; the seed of the
 * random kill moments is logged ({@code -Dchaos.seed=S} repeats a run's schedule).
 */
class ServiceChaosTest {

    private static final Logger log = LoggerFactory.getLogger(ServiceChaosTest.class);
    private static final int TRACES = Integer.getInteger("chaos.traces", 20_000);
    private static final int MIN_KILLS = Integer.getInteger("chaos.kills", 5);
    private static final int MAX_KILLS = MIN_KILLS + 5;
    private static final String EXPERIMENT = "7";
    private static final MonitorConfig MONITOR = new MonitorConfig(EXPERIMENT, "main", "chaos",
            new MonitorConfig.AssessmentsConfig(0.5, List.of(
                    MonitorConfig.JudgeConfig.builtin("safety", null),
                    MonitorConfig.JudgeConfig.builtin("relevance_to_query", 0.3),
                    new MonitorConfig.JudgeConfig(null, Map.of("tone", List.of("The response is polite.")), 0.2))));
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    private static KafkaClusterTestKit cluster;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        SinkTestLogging.quiet();
        // a killed child's group members must expire fast for the restarted one to get the partitions
        cluster = TestBroker.start(Map.of("offsets.topic.num.partitions", "1", "transaction.state.log.num.partitions", "1", "group.min.session.timeout.ms", "1000"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void sigkilledAndRestartedServiceWritesEveryTraceAndEveryAssessmentExactlyOnce() throws Exception {
        long started = System.nanoTime();
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        log.info("chaos seed {} (repeat with -Dchaos.seed={}); {} traces, at least {} kills", seed, seed, TRACES,
                MIN_KILLS);
        Topics topics = Topics.defaults();
        String warehouse = dir.resolve("warehouse").toString();
        TableAddress table = new TableAddress(MONITOR.catalogName(), MONITOR.schemaName(), EXPERIMENT);
        Path childLog = Path.of("target", "chaos-child.log").toAbsolutePath();
        Files.createDirectories(childLog.getParent());
        Files.deleteIfExists(childLog);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        settings.put(ServiceConfig.APPLICATION_ID_CONFIG, "chaos");
        settings.put(ServiceConfig.SINK_GROUP_ID_CONFIG, "chaos-sink");
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

        ChildService child = startChild(settings, childLog);
        AtomicInteger produced = new AtomicInteger();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producerThread;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.monitorConfig(), utf8(EXPERIMENT), MonitorConfigCodec.encode(MONITOR))).get();
            awaitAccepted(topics.monitorStatus());

            // 90% of the traces in small paced batches (~60 s), so that kills land while traces are flowing; the
            // rest once the kills are done, so that there is always something to flush while they go on
            CountDownLatch killsDone = new CountDownLatch(1);
            producerThread = new Thread(() -> {
                try {
                    int paced = TRACES * 9 / 10;
                    int batch = Math.max(1, paced / 240);
                    for (int i = 0; i < records.size(); i += batch) {
                        if (i >= paced) {
                            killsDone.await();
                        }
                        for (DemoRecord r : records.subList(i, Math.min(records.size(), i + batch))) {
                            producer.send(new ProducerRecord<>(topics.traces(), utf8(r.key()), r.value()));
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
            ChildService first = child;
            await().atMost(Duration.ofSeconds(90)).failFast("the child died", () -> !first.isAlive())
                    .until(() -> DeltaRows.rows(traceLogs) > 0 && DeltaRows.rows(assessments) > 0);
            int kills = 0;
            int midFlushKills = 0;
            List<String> killLog = new ArrayList<>();
            while (kills < MIN_KILLS || (midFlushKills == 0 && kills < MAX_KILLS)) {
                boolean onFlush = kills % 2 == 0 || (kills >= MIN_KILLS - 1 && midFlushKills == 0);
                String how;
                int exit;
                if (kills == 2) {
                    // after a flush's Delta commit, before its Kafka offset commit: the restart must trust the table
                    ChildService current = child;
                    current.killOnNextDeltaCommit();
                    await().atMost(Duration.ofSeconds(60)).until(() -> !current.isAlive());
                    exit = child.awaitExit();
                    how = "right after a Delta commit of " + child.killedDuringFlushOf();
                } else if (onFlush) {
                    ChildService current = child;
                    long delay = kills == 0 ? 0 : random.nextInt(600);
                    current.killOnNextFlushStart(delay);
                    await().atMost(Duration.ofSeconds(60)).until(() -> !current.isAlive());
                    exit = child.awaitExit();
                    how = delay + " ms after a flush start of " + child.killedDuringFlushOf();
                } else {
                    long delay = 1_000 + random.nextInt(5_000);
                    Thread.sleep(delay); // a random moment: no condition to await, the point is not to choose one
                    exit = child.kill();
                    how = "after " + delay + " ms";
                }
                kills++;
                String interrupted = child.interruptedFlushThread();
                if (interrupted != null) {
                    midFlushKills++;
                }
                String entry = String.format("kill %d (pid %d) %s: exit %d, produced %d, flush running: %s,"
                        + " last sink message: %s", kills, child.pid(), how, exit, produced.get(), interrupted,
                        child.lastSinkMessage());
                killLog.add(entry);
                log.info(entry);
                assertThat(exit).as("exit code of a SIGKILLed JVM (128 + 9)").isEqualTo(137);
                child = startChild(settings, childLog);
            }
            killsDone.countDown();
            producerThread.join(TIMEOUT.toMillis());
            assertThat(producerFailure.get()).isNull();
            assertThat(produced.get()).isEqualTo(TRACES);
            log.info("kills: {}", killLog);
            long resumedAheadOfKafka = Files.readAllLines(childLog).stream()
                    .map(ChildService.RESUMES::matcher).filter(java.util.regex.Matcher::find)
                    .filter(m -> Long.parseLong(m.group(1)) > Long.parseLong(m.group(2))).count();
            assertThat(resumedAheadOfKafka).as("partitions resumed from Delta versions ahead of the group's Kafka offsets")
                    .isPositive();
            assertThat(kills).isGreaterThanOrEqualTo(MIN_KILLS);
            assertThat(midFlushKills).as("kills in the middle of a flush; %s", killLog).isPositive();

            ChildService last = child;
            await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(2))
                    .failFast("the child died", () -> !last.isAlive())
                    .until(() -> DeltaRows.rows(traceLogs) >= TRACES
                            && DeltaRows.rows(assessments) >= expectedAssessments.size());
            assertThat(child.stop()).as("exit after SIGTERM").isIn(0, 143);

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
                    ExactlyOnceChecks.feedbackOnTopic(cluster.bootstrapServers(), topics.feedback());
            ExactlyOnceChecks.assertExactlyOncePerTraceAndJudge("trace-feedback (read_committed)", onTopic, expectedAssessments);
            log.info("{} traces, {} assessments exactly once after {} kills ({} mid-flush) in {} s", TRACES,
                    expectedAssessments.size(), kills, midFlushKills, (System.nanoTime() - started) / 1_000_000_000);
        } finally {
            if (child.isAlive()) {
                child.kill();
            }
        }
    }

    private static ChildService startChild(Map<String, String> settings, Path log) throws Exception {
        ChildService child = ChildService.start(dir, log, settings);
        if (!child.awaitReady(Duration.ofSeconds(90))) {
            child.kill();
            throw new AssertionError("the child service did not start; see " + log);
        }
        return child;
    }

    private static void awaitAccepted(String statusTopic) {
        await().atMost(Duration.ofSeconds(60)).until(() -> readCommitted(statusTopic).stream()
                .map(r -> MonitorStatus.decode(r.value()))
                .anyMatch(s -> EXPERIMENT.equals(s.experimentId()) && MonitorStatus.ACCEPTED.equals(s.status())));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return ExactlyOnceChecks.readCommitted(cluster.bootstrapServers(), topic);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
