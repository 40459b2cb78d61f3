package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.cli.TraceMonitorCommand;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TopicCollector;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Avro traces on a real broker, under exactly-once, while the schema registry is down for 30 s (they wait, none is
 * dead-lettered: within the outage wait the stream thread waits it out; past it the thread is replaced and reads them
 * again) or refuses their schema id (they are dead-lettered, and {@code dlq replay} sends them back once it is
 * registered).
 */
class RegistryOutageTest {

    private static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "outage",
             "assessments_config": {"sample": 0.0, "assessments": [{"name": "safety"}]}}""";
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();
    private static FakeSchemaRegistry registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = FakeSchemaRegistry.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    /** A test's body, given a started service and collectors of its dead-letter topic and traces-assessed. */
    private interface Run {
        void run(TraceMonitorService service, ServiceConfig config, TraceMonitorMetrics metrics,
                 KafkaProducer<String, byte[]> producer, TopicCollector<byte[]> dlq, TopicCollector<Trace> assessed)
                throws Exception;
    }

    private static void withService(String name, Duration outageWait, Run run) throws Exception {
        withService(name, outageWait, Map.of(), run);
    }

    private static void withService(String name, Duration outageWait, Map<String, String> settings, Run run)
            throws Exception {
        Properties props = AvroTestSupport.serviceProps(broker.bootstrapServers(), dir, name, registry.url());
        props.putAll(settings);
        props.put(ServiceConfig.FORMAT_TRACES_CONFIG, "avro");
        props.put(ServiceConfig.REGISTRY_OUTAGE_WAIT_CONFIG, outageWait.toString());
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "-1");
        ServiceConfig config = ServiceConfig.of(props);
        TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(), metrics);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     // what one flush sends is one batch, fetched whole
                     ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20, ProducerConfig.LINGER_MS_CONFIG, 1000),
                     new StringSerializer(), new ByteArraySerializer())) {
            service.start();
            try (TopicCollector<byte[]> dlq = new TopicCollector<>(broker.bootstrapServers(), config.topics().dlq(), b -> b);
                 TopicCollector<Trace> assessed = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().assessed(), TraceJsonCodec::decode)) {
                int probeSchemaId = registry.preRegister(config.topics().traces() + "-value", AvroTraceCodec.SCHEMA);
                AvroTestSupport.awaitMonitorApplied(broker.bootstrapServers(), producer, config, MONITOR,
                        id -> AvroTestSupport.avroChat(probeSchemaId, AvroTraceCodec.SCHEMA, id));
                run.run(service, config, metrics, producer, dlq, assessed);
            }
        }
    }

    /**
     * Under exactly-once the Streams producer's transaction times out after 10 s ({@code transaction.timeout.ms}): a
     * trace decoded with a cached schema opens a transaction, the next one on the partition waits 30 s for the registry,
     * the broker aborts the transaction meanwhile, and the task, fenced when it sends again, starts once more from its
     * last commit. The aborted copies stay in the log (a read_uncommitted reader sees them); every trace is committed
     * once, and nothing is dead-lettered.
     *
     * <p>That a transaction is open when decoding stalls is arranged, not left to chance: the traces before the stall
     * and those that stall are sent in one batch (so they are fetched together, and the stream thread does not end its
     * loop, committing, between them), and commits are 5 s apart, so that one falls between the last cached trace
     * and the first that waits only if the interval ends in that millisecond.
     */
    @Test
    void aThirtySecondOutageWithinTheWaitAbortsTheOpenTransactionOnceAndEveryTraceReachesTheTableOnce()
            throws Exception {
        withService("stall", Duration.ofSeconds(60), Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "5000"),
                (service, config, metrics, producer, dlq, assessed) -> {
            int cached = registry.preRegister(config.topics().traces() + "-value", AvroTraceCodec.SCHEMA);
            Schema variant = variant("stall test");
            int uncached = registry.preRegister(config.topics().traces() + "-value", variant);
            registry.startOutage(FakeSchemaRegistry.Failure.SERVICE_UNAVAILABLE);
            long outageStart = System.nanoTime();
            List<String> before = send(producer, config, cached, AvroTraceCodec.SCHEMA, "before-", 30);
            List<String> waiting = send(producer, config, uncached, variant, "waiting-", 10);
            producer.flush();
            try (TopicCollector<Trace> uncommitted = new TopicCollector<>(broker.bootstrapServers(),
                    config.topics().assessed(), TraceJsonCodec::decode, IsolationLevel.READ_UNCOMMITTED)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> metrics.count("registry.outage.waits") >= 1);
                await().during(OUTAGE.minusNanos(System.nanoTime() - outageStart)).atMost(OUTAGE.plusSeconds(15))
                        .until(() -> dlq.all().isEmpty() && Collections.disjoint(assessed.all().keySet(), waiting));
                registry.endOutage();
                List<String> ids = new ArrayList<>(before);
                ids.addAll(waiting);
                await().atMost(Duration.ofMinutes(2)).until(() -> AvroTestSupport.tableIds(config, "outage")
                        .containsAll(ids));
                assertThat(Duration.ofNanos(System.nanoTime() - outageStart)).isGreaterThan(OUTAGE);
                assertThat(AvroTestSupport.tableIds(config, "outage")).filteredOn(ids::contains).hasSize(ids.size())
                        .doesNotHaveDuplicates();
                assertThat(ids).allSatisfy(t -> assertThat(assessed.get(t)).as(t).hasSize(1));
                assertThat(before).as("written in the transaction the broker aborted, then again")
                        .anyMatch(t -> uncommitted.get(t).size() > 1);
            }
            assertThat(dlq.all()).isEmpty();
            assertThat(metrics.count("traces.dlq")).isZero();
        });
    }

    /**
     * Past the wait the stream thread fails and Kafka Streams starts another in its place (a new thread, under
     * another name, see {@link KafkaStreams#metadataForLocalThreads()}), which waits again. How many replacements
     * fit in the outage depends on how long a replacement takes to start, so only what is certain is asserted: more
     * pauses than one thread makes in one wait, and a stream thread other than the first.
     */
    @Test
    void aThirtySecondOutagePastTheWaitReplacesTheStreamThreadAndEveryTraceReachesTheTableOnce() throws Exception {
        Duration wait = Duration.ofSeconds(6);
        withService("outage", wait, (service, config, metrics, producer, dlq, assessed) -> {
            // a schema id the service has not cached yet, so that decoding must ask the registry
            Schema variant = variant("outage test");
            int id = registry.preRegister(config.topics().traces() + "-value", variant);
            Set<String> first = streamThreads(service);
            Set<String> seen = ConcurrentHashMap.newKeySet();
            registry.startOutage(FakeSchemaRegistry.Failure.SERVICE_UNAVAILABLE);
            long outageStart = System.nanoTime();
            List<String> ids = send(producer, config, id, variant, "outage-", 20);
            producer.flush();
            // the stream thread that gives up on the outage ends by throwing: Awaitility must not take that as a
            // failure
            await().dontCatchUncaughtExceptions().during(OUTAGE).atMost(OUTAGE.plusSeconds(15))
                    .until(() -> {
                        seen.addAll(streamThreads(service));
                        return dlq.all().isEmpty() && Collections.disjoint(assessed.all().keySet(), ids);
                    });
            registry.endOutage();
            double waits = metrics.count("registry.outage.waits");

            await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(2))
                    .until(() -> AvroTestSupport.tableIds(config, "outage").containsAll(ids));
            assertThat(Duration.ofNanos(System.nanoTime() - outageStart)).isGreaterThan(OUTAGE);
            // one thread pauses at most 5 times in a wait of 6 s: 0.5, 1 and 2 s, the 2.5 s left, and one of 1 ms if
            // the last sleep ended within a millisecond of the deadline
            assertThat(waits).as("pauses during the outage, of more than one thread's wait of %s", wait)
                    .isGreaterThan(5);
            assertThat(seen).as("stream threads during the outage, the first being %s", first)
                    .anyMatch(name -> !first.contains(name));
            assertThat(AvroTestSupport.tableIds(config, "outage")).filteredOn(ids::contains).hasSize(ids.size())
                    .doesNotHaveDuplicates();
            assertThat(ids).allSatisfy(t -> assertThat(assessed.get(t)).as(t).hasSize(1));
            assertThat(dlq.all()).isEmpty();
            assertThat(metrics.count("traces.dlq")).isZero();
        });
    }

    /** The live stream threads' names. */
    private static Set<String> streamThreads(TraceMonitorService service) {
        return service.streams().metadataForLocalThreads().stream().map(ThreadMetadata::threadName)
                .collect(Collectors.toSet());
    }

    @Test
    void dlqReplayResendsExactlyTheTracesTheRegistryRefusedOnceTheirSchemaIsRegistered() throws Exception {
        withService("refused", Duration.ofSeconds(6), (service, config, metrics, producer, dlq, assessed) -> {
            Schema variant = variant("not yet registered");
            int id = registry.preRegister(config.topics().traces() + "-value", variant);
            registry.hide(id);
            List<String> refused = send(producer, config, id, variant, "refused-", 6);
            producer.flush();
            for (int i = 0; i < 2; i++) {
                producer.send(new ProducerRecord<>(config.topics().traces(), "garbage-" + i, new byte[] {0, 0, 0})).get();
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> dlq.all().values().stream().mapToInt(List::size).sum() == 8);
            registry.reveal(id);

            StringWriter out = new StringWriter();
            CommandLine cmd = new CommandLine(new TraceMonitorCommand());
            cmd.setOut(new PrintWriter(out, true));
            int code = cmd.execute("dlq", "replay", "--bootstrap-servers", broker.bootstrapServers(),
                    "--dlq-topic", config.topics().dlq(), "--reason", "unknown schema id " + id);

            assertThat(code).as(out.toString()).isZero();
            assertThat(out.toString()).contains("re-published 6, skipped 0 of 6 chosen dead letter(s)");
            assertThat(refused).allSatisfy(t -> assertThat(out.toString()).contains(" key=" + t + " reason: "));
            await().atMost(Duration.ofMinutes(2)).until(() -> AvroTestSupport.tableIds(config, "outage")
                    .containsAll(refused));
            assertThat(AvroTestSupport.tableIds(config, "outage")).filteredOn(t -> !t.startsWith("probe-"))
                    .containsExactlyInAnyOrderElementsOf(refused);
            assertThat(refused).allSatisfy(t -> assertThat(assessed.get(t)).as(t).hasSize(1));
            assertThat(dlq.all().values().stream().mapToInt(List::size).sum()).isEqualTo(8);
        });
    }

    /** The contract schema with another doc: the same record, registered under a new id. */
    private static Schema variant(String doc) {
        return AvroTestSupport.editedSchema("Trace.avsc", root -> root.put("doc", doc));
    }

    /** Sends {@code count} chat traces, all to partition 0 (so that they are read in this order); flushing is the caller's. */
    private static List<String> send(KafkaProducer<String, byte[]> producer, ServiceConfig config, int schemaId,
                                     Schema writer, String prefix, int count) {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        for (String id : ids) {
            producer.send(new ProducerRecord<>(config.topics().traces(), 0, id,
                    AvroTestSupport.avroChat(schemaId, writer, id)));
        }
        return ids;
    }
}
