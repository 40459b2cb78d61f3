package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.cli.TraceMonitorCommand;
import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TopicCollector;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Avro traces on a real broker while the schema registry is down (they wait, none is dead-lettered) or refuses their
 * schema id (they are dead-lettered, and {@code dlq replay} sends them back once it is registered).
 */
class RegistryOutageTest {

    private static final String MONITOR = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "outage",
             "assessments_config": {"sample": 1.0, "assessments": [{"name": "safety"}]}}""";
    /** Short enough that the outage outlasts it: the stream thread gives up, is replaced and reads the traces again. */
    private static final String OUTAGE_WAIT = "PT6S";

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

    @Test
    void wellFormedTracesWaitOutARegistryOutageAndEachReachesTheTableOnceWithNoDeadLetter() throws Exception {
        ServiceConfig config = config("outage");
        TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(), metrics);
             KafkaProducer<String, byte[]> producer = producer()) {
            service.start();
            try (TopicCollector<byte[]> dlq = new TopicCollector<>(broker.bootstrapServers(), config.topics().dlq(), b -> b);
                 TopicCollector<Trace> assessed = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().assessed(), TraceJsonCodec::decode)) {
                outageRun(config, metrics, producer, dlq, assessed);
            }
        }
    }

    private static void outageRun(ServiceConfig config, TraceMonitorMetrics metrics,
                                  KafkaProducer<String, byte[]> producer, TopicCollector<byte[]> dlq,
                                  TopicCollector<Trace> assessed) throws Exception {
        awaitMonitorApplied(producer, config, assessed);
        // the stream thread that gives up on the outage ends by throwing: Awaitility must not take that as a failure
        // a schema id the service has not cached yet, so that decoding must ask the registry
        Schema variant = variant("outage test");
        int id = registry.preRegister(config.topics().traces() + "-value", variant);
        registry.startOutage(FakeSchemaRegistry.Failure.SERVICE_UNAVAILABLE);
        long outageStart = System.nanoTime();
        List<String> ids = send(producer, config, id, variant, "outage-", 20);
        await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(1))
                .until(() -> metrics.count("registry.outage.waits") >= 12);
        Duration outage = Duration.ofNanos(System.nanoTime() - outageStart);
        registry.endOutage();

        await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(2)).until(() -> tableIds(config).containsAll(ids));
        assertThat(outage).isGreaterThan(Duration.parse(OUTAGE_WAIT));
        assertThat(tableIds(config)).filteredOn(ids::contains).hasSize(ids.size()).doesNotHaveDuplicates();
        assertThat(ids).allSatisfy(t -> assertThat(assessed.get(t)).as(t).hasSize(1));
        assertThat(dlq.all()).isEmpty();
        assertThat(metrics.count("traces.dlq")).isZero();
        System.out.printf("registry outage of %d ms: %.0f waits, no dead letter%n", outage.toMillis(),
                metrics.count("registry.outage.waits"));
    }

    @Test
    void dlqReplayResendsExactlyTheTracesTheRegistryRefusedOnceTheirSchemaIsRegistered() throws Exception {
        ServiceConfig config = config("refused");
        TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(), metrics);
             KafkaProducer<String, byte[]> producer = producer()) {
            service.start();
            try (TopicCollector<byte[]> dlq = new TopicCollector<>(broker.bootstrapServers(), config.topics().dlq(), b -> b);
                 TopicCollector<Trace> assessed = new TopicCollector<>(broker.bootstrapServers(),
                         config.topics().assessed(), TraceJsonCodec::decode)) {
                replayRun(config, producer, dlq, assessed);
            }
        }
    }

    private static void replayRun(ServiceConfig config, KafkaProducer<String, byte[]> producer,
                                  TopicCollector<byte[]> dlq, TopicCollector<Trace> assessed) throws Exception {
        awaitMonitorApplied(producer, config, assessed);
        Schema variant = variant("not yet registered");
        int id = registry.preRegister(config.topics().traces() + "-value", variant);
        registry.hide(id);
        List<String> refused = send(producer, config, id, variant, "refused-", 6);
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
        await().atMost(Duration.ofMinutes(2)).until(() -> tableIds(config).containsAll(refused));
        assertThat(tableIds(config)).filteredOn(t -> !t.startsWith("probe-"))
                .containsExactlyInAnyOrderElementsOf(refused);
        assertThat(refused).allSatisfy(t -> assertThat(assessed.get(t)).as(t).hasSize(1));
        assertThat(dlq.all().values().stream().mapToInt(List::size).sum()).isEqualTo(8);
    }

    private static ServiceConfig config(String name) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, name);
        props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, name + "-sink");
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve(name + "-warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT2S");
        props.put(ServiceConfig.FORMAT_TRACES_CONFIG, "avro");
        props.put(ServiceConfig.REGISTRY_OUTAGE_WAIT_CONFIG, OUTAGE_WAIT);
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "-1");
        props.put("schema.registry.url", registry.url());
        for (String topic : List.of("traces", "monitor-config", "monitor-status", "feedback", "assessed", "dlq")) {
            props.put("trace-monitor.topic." + topic, name + "-" + topic);
        }
        return ServiceConfig.of(props);
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** The contract schema with another doc: the same record, registered under a new id. */
    private static Schema variant(String doc) {
        return AvroTestSupport.editedSchema("Trace.avsc", root -> root.put("doc", doc));
    }

    private static List<String> send(KafkaProducer<String, byte[]> producer, ServiceConfig config, int schemaId,
                                     Schema writer, String prefix, int count) throws Exception {
        List<String> ids = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        for (String id : ids) {
            Trace trace = TraceJsonCodec.decode(TestTraces.chat(id, "42", "What is Kafka?", "A log."));
            producer.send(new ProducerRecord<>(config.topics().traces(), id, AvroTestSupport.confluentFrame(schemaId,
                    writer, AvroTraceCodec.toRecord(trace)))).get();
        }
        return ids;
    }

    private static void awaitMonitorApplied(KafkaProducer<String, byte[]> producer, ServiceConfig config,
                                            TopicCollector<Trace> assessed) throws Exception {
        producer.send(new ProducerRecord<>(config.topics().monitorConfig(), "42", TestTraces.utf8(MONITOR))).get();
        int id = registry.preRegister(config.topics().traces() + "-value", AvroTraceCodec.SCHEMA);
        List<String> probes = new ArrayList<>();
        await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> {
            String probe = "probe-" + probes.size();
            probes.add(probe);
            send(producer, config, id, AvroTraceCodec.SCHEMA, probe, 1);
            return probes.stream().anyMatch(p -> !assessed.get(p + "0").isEmpty());
        });
    }

    private static List<String> tableIds(ServiceConfig config) {
        String path = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "outage", "42"),
                config.getString(ServiceConfig.WAREHOUSE_CONFIG));
        return DeltaTableStats.read(DefaultEngine.create(new Configuration()), path).map(DeltaTableStats::traceIds)
                .orElse(List.of());
    }
}
