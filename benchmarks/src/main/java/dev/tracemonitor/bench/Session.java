package dev.tracemonitor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One scenario's world: a fresh broker (its own JVM), the service (its own JVM) against it with a warehouse of its
 * own, and the driver's clients. Closing it stops both processes and deletes their data.
 */
public final class Session implements AutoCloseable {

    public static final String EXPERIMENT = "bench";
    public static final String CATALOG = "bench";
    public static final String SCHEMA = "perf";
    static final List<String> TOPICS = List.of("traces", "monitor-config", "monitor-status", "trace-feedback",
            "traces-assessed", "traces-dlq");

    private final Path dir;
    private final BrokerProcess broker;
    private final ServiceProcess service;
    private final Kafka kafka;
    private final DeltaWatcher watcher;
    private final TraceCorpus corpus;
    private final LoadDriver driver;

    private Session(Path dir, BrokerProcess broker, ServiceProcess service, Kafka kafka, TraceCorpus corpus) {
        this.dir = dir;
        this.broker = broker;
        this.service = service;
        this.kafka = kafka;
        this.watcher = new DeltaWatcher(table());
        this.corpus = corpus;
        this.driver = new LoadDriver(corpus);
    }

    /**
     * Starts a broker and the service ({@code trace-monitor run}) with the given settings on top of the harness's
     * ({@code flush.interval}, warehouse, state dir) and waits until the service has created its topics.
     */
    public static Session start(Options options, String name, String heap, Map<String, String> settings,
                                TraceCorpus corpus) throws Exception {
        Path dir = options.workDir().resolve(name);
        deleteRecursively(dir);
        Files.createDirectories(dir);
        BrokerProcess broker = BrokerProcess.start(dir.resolve("kafka"), dir.resolve("broker.log"), "1g");
        ServiceProcess service = null;
        Kafka kafka = null;
        try {
            Map<String, String> all = new LinkedHashMap<>();
            all.put("bootstrap.servers", broker.bootstrapServers());
            all.put("trace-monitor.warehouse", dir.resolve("warehouse").toString());
            all.put("state.dir", dir.resolve("state").toString());
            all.put("trace-monitor.flush.interval", options.flushInterval());
            all.putAll(settings);
            List<String> jvm = new ArrayList<>(options.serviceJvmOptions());
            service = ServiceProcess.start(options.repoRoot(), dir.resolve("service.log"), heap, jvm, all,
                    options.serviceEnv());
            kafka = new Kafka(broker.bootstrapServers());
            kafka.awaitTopics(TOPICS, Duration.ofSeconds(90));
            return new Session(dir, broker, service, kafka, corpus);
        } catch (Exception | Error e) {
            if (kafka != null) {
                kafka.close();
            }
            if (service != null) {
                service.close();
            }
            broker.close();
            throw e;
        }
    }

    public ServiceProcess service() {
        return service;
    }

    public BrokerProcess broker() {
        return broker;
    }

    public Kafka kafka() {
        return kafka;
    }

    public LoadDriver driver() {
        return driver;
    }

    public TraceCorpus corpus() {
        return corpus;
    }

    public DeltaWatcher watcher() {
        return watcher;
    }

    public Path table() {
        return traceLogs(dir.resolve("warehouse"), EXPERIMENT);
    }

    public Path dir() {
        return dir;
    }

    /** Publishes the benchmark monitor: the given judges at the monitor's {@code sample}; waits until accepted. */
    public void monitor(double sample, List<String> judges) throws Exception {
        kafka.publishMonitor(EXPERIMENT, monitorConfig(EXPERIMENT, sample, judges), Duration.ofSeconds(120));
        // the status is read by our consumer and by the service's global store thread at about the same time;
        // give the latter a moment so that no trace is routed before the monitor is in force
        Thread.sleep(1000);
    }

    /** A monitor config for {@code experimentId} in the harness's catalog and schema: the judges at {@code sample}. */
    static String monitorConfig(String experimentId, double sample, List<String> judges) {
        StringBuilder assessments = new StringBuilder();
        for (String judge : judges) {
            assessments.append(assessments.isEmpty() ? "" : ",").append("{\"name\":\"").append(judge).append("\"}");
        }
        return "{\"experiment_id\":\"" + experimentId + "\",\"catalog_name\":\"" + CATALOG
                + "\",\"schema_name\":\"" + SCHEMA + "\",\"assessments_config\":{\"sample\":" + sample
                + ",\"assessments\":[" + assessments + "]}}";
    }

    /** The trace_logs table of an experiment under a warehouse. */
    static Path traceLogs(Path warehouse, String experimentId) {
        return warehouse.resolve(CATALOG).resolve(SCHEMA).resolve("trace_logs_" + experimentId);
    }

    /** Throughput of one flat-out load: first send to the Delta commit that holds every well-formed trace. */
    public record Throughput(long traces, long wellFormed, long bytes, double produceSeconds, double seconds,
                             long commitVersion, double serviceCpu, double brokerCpu, double driverCpu) {
        public double tracesPerSecond() {
            return wellFormed / seconds;
        }
    }

    public Throughput throughput(long count, Duration timeout) throws Exception {
        DeltaWatcher.Commit before = watcher.poll();
        long base = before == null ? 0 : before.rows();
        LoadDriver.Result produced;
        long self = ProcessHandle.current().pid();
        double serviceCpu = ProcStatus.cpuSeconds(service.pid());
        double brokerCpu = ProcStatus.cpuSeconds(broker.pid());
        double driverCpu = ProcStatus.cpuSeconds(self);
        try (KafkaProducer<byte[], byte[]> producer = kafka.loadProducer(10)) {
            producer.partitionsFor("traces");
            produced = driver.produce(producer, "traces", count, 0, null, false);
        }
        DeltaWatcher.Commit commit = watcher.awaitRows(base + produced.wellFormed(), timeout);
        return new Throughput(count, produced.wellFormed(), produced.bytes(),
                (produced.doneMillis() - produced.firstSendMillis()) / 1000.0,
                (commit.epochMillis() - produced.firstSendMillis()) / 1000.0, commit.version(),
                ProcStatus.cpuSeconds(service.pid()) - serviceCpu, ProcStatus.cpuSeconds(broker.pid()) - brokerCpu,
                ProcStatus.cpuSeconds(self) - driverCpu);
    }

    /** Feedback latency percentiles, per Assessment, in milliseconds. */
    public record Latency(long traces, long assessments, double p50, double p95, double p99, double max,
                          double rate) {
    }

    /**
     * Sends traces at {@code perSecond} for {@code seconds} and measures, for every Assessment published on
     * trace-feedback, the time from the trace's send to the Assessment's arrival at a read_committed consumer.
     */
    public Latency feedbackLatency(double perSecond, int seconds, Duration timeout) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        Map<String, Long> sent = driver.sendNanos();
        sent.clear();
        AtomicLong ready = new AtomicLong();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps(Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50), ByteArrayDeserializer.class))) {
                consumer.assign(kafka.partitions("trace-feedback"));
                consumer.seekToEnd(consumer.assignment());
                consumer.assignment().forEach(consumer::position);
                ready.set(1);
                while (!stop.get()) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                    long now = System.nanoTime();
                    for (ConsumerRecord<String, byte[]> record : records) {
                        Long at = sent.get(record.key());
                        if (at != null) {
                            latencies.add(now - at);
                        }
                    }
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "feedback-reader");
        reader.start();
        while (ready.get() == 0) {
            Thread.sleep(20);
        }
        DeltaWatcher.Commit before = watcher.poll();
        long base = before == null ? 0 : before.rows();
        LoadDriver.Result produced;
        try (KafkaProducer<byte[], byte[]> producer = kafka.loadProducer(1)) {
            producer.partitionsFor("traces");
            produced = driver.produce(producer, "traces", (long) (perSecond * seconds), perSecond, null, true);
        }
        // a trace reaches the table only after all its judges answered, in the same transaction as its feedback
        watcher.awaitRows(base + produced.wellFormed(), timeout);
        Thread.sleep(1000);
        stop.set(true);
        reader.join();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Latency(produced.wellFormed(), sorted.length, JudgeEfficiency.percentile(sorted, 0.50) / 1e6,
                JudgeEfficiency.percentile(sorted, 0.95) / 1e6, JudgeEfficiency.percentile(sorted, 0.99) / 1e6,
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6, produced.recordsPerSecond());
    }

    /** A plain KafkaConsumer (default settings, byte arrays) reading {@code expected} records of a topic from the start. */
    public double rawReadRate(String topic, long expected) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps(Map.of(),
                ByteArrayDeserializer.class))) {
            consumer.assign(kafka.partitions(topic));
            consumer.seekToBeginning(consumer.assignment());
            long read = 0;
            long bytes = 0;
            long start = System.nanoTime();
            long deadline = start + Duration.ofMinutes(5).toNanos();
            while (read < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    read++;
                    bytes += record.value().length;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (read < expected) {
                throw new IllegalStateException("read only " + read + " of " + expected + " records of " + topic);
            }
            return read / seconds;
        }
    }

    /** Produces {@code count} traces, as the topology would have written them, straight to traces-assessed. */
    public LoadDriver.Result produceAssessed(long count) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        new dev.tracemonitor.sink.TableAddress(CATALOG, SCHEMA, EXPERIMENT).writeTo(headers);
        try (KafkaProducer<byte[], byte[]> producer = kafka.loadProducer(10)) {
            producer.partitionsFor("traces-assessed");
            return driver.produce(producer, "traces-assessed", count, 0, headers, false);
        }
    }

    @Override
    public void close() {
        kafka.close();
        service.close();
        broker.close();
        try {
            // the logs stay (small); the data goes
            for (String data : List.of("kafka", "warehouse", "state")) {
                deleteRecursively(dir.resolve(data));
            }
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
