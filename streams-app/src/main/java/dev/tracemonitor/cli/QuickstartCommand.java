package dev.tracemonitor.cli;

import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.embedded.EmbeddedKafka;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.model.MonitorConfig.AssessmentsConfig;
import dev.tracemonitor.model.MonitorConfig.JudgeConfig;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.OpsHttpServer;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.ServiceProcess;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.topology.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trace-monitor quickstart}: an in-process KRaft broker, a demo monitor, a few hundred varied sample traces
 * (and some malformed records), the local judges and a Delta table on local disk; runs until every trace is in the
 * table, prints a summary and exits. The terminal shows progress and the summary; the log goes to a file.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on an embedded broker with sample traces and local judges, then exit.")
final class QuickstartCommand implements Callable<Integer> {

    static final String EXPERIMENT_ID = "42";
    private static final String SERVE_ADDRESS = "127.0.0.1";
    private static final double DEFAULT_SAMPLE = 0.5;
    private static final double DEFAULT_CHUNK_RELEVANCE_SAMPLE = 0.2;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final int LOG_LINES_SHOWN_ON_FAILURE = 30;

    @Option(names = "--warehouse", defaultValue = "trace-monitor-quickstart/warehouse",
            description = "Where the Delta table is written (default: ${DEFAULT-VALUE}).")
    Path warehouse;

    @Option(names = "--traces", defaultValue = "300", description = "Well-formed traces to produce (default: ${DEFAULT-VALUE}).")
    int traces;

    @Option(names = "--malformed", defaultValue = "12", description = "Malformed records to produce (default: ${DEFAULT-VALUE}).")
    int malformed;

    @Option(names = "--flush-interval", defaultValue = "PT5S", description = "Delta commit interval (default: ${DEFAULT-VALUE}).")
    String flushInterval;

    @Option(names = "--timeout", defaultValue = "PT3M", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--trace-file", paramLabel = "FILE", description = "Produce the traces in this file instead of"
            + " the demo traces: one trace JSON document, or one per line (JSON Lines), sent as they are; repeatable."
            + " A monitor with the demo judges is published for each experiment the traces name.")
    List<Path> traceFiles = new ArrayList<>();

    @Option(names = "--sample", description = "Sample every judge of the demo monitor at this rate, 0 to 1 (default:"
            + " " + DEFAULT_SAMPLE + ", chunk_relevance " + DEFAULT_CHUNK_RELEVANCE_SAMPLE + ").")
    Double sample;

    @Option(names = "--summary-file", description = "Also write the summary as JSON to this file.")
    Path summaryFile;

    @Option(names = "--log-file", defaultValue = "trace-monitor-quickstart/quickstart.log",
            description = "Where the log goes, overwritten on each run (default: ${DEFAULT-VALUE}).")
    Path logFile;

    @Option(names = "--verbose", description = "Log to the terminal (stderr) instead of the log file.")
    boolean verbose;

    @Option(names = "--serve", description = "After the summary, keep the demo running and serve the monitoring page"
            + " (and /metrics) until Ctrl-C; prints the page's URL.")
    boolean serve;

    @Option(names = "--http-port", defaultValue = "8080", description = "Port of the page with --serve, on 127.0.0.1"
            + " (0: any free port; default: ${DEFAULT-VALUE}).")
    int httpPort;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Path log = logFile.toAbsolutePath().normalize();
        out.println("trace-monitor quickstart");
        if (!verbose) {
            LogFile.redirectTo(log);
            out.println("  the log goes to " + log + " (--verbose shows it here instead)");
        }
        boolean succeeded = false;
        try {
            int status = runPipeline(started);
            succeeded = status == 0;
            return status;
        } finally {
            if (!succeeded) {
                showLogTail(log);
            }
        }
    }

    private void showLogTail(Path log) {
        if (verbose) {
            return;
        }
        System.err.println("trace-monitor quickstart failed; the last lines of its log " + log + ":");
        LogFile.tail(log, LOG_LINES_SHOWN_ON_FAILURE).forEach(System.err::println);
    }

    private int runPipeline(long started) throws Exception {
        Path work = Files.createTempDirectory("trace-monitor-quickstart-");
        Files.createDirectories(warehouse);
        Path warehouseAbs = warehouse.toAbsolutePath().normalize();
        out.println("  starting an embedded Kafka broker (KRaft) ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            Properties props = new Properties();
            props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ServiceConfig.STATE_DIR_CONFIG, work.resolve("state").toString());
            props.put(ServiceConfig.WAREHOUSE_CONFIG, warehouseAbs.toString());
            props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, flushInterval);
            props.put(ServiceConfig.APPLICATION_ID_CONFIG, "trace-monitor-quickstart");
            props.put(ServiceConfig.SINK_GROUP_ID_CONFIG, "trace-monitor-quickstart-sink");
            ServiceConfig config = ServiceConfig.of(props);
            Topics topics = config.topics();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            TraceMonitorMetrics metrics = new TraceMonitorMetrics(registry);
            out.println("  broker at " + kafka.bootstrapServers() + "; loading the local judges (MiniLM embeddings) ...");
            try (TraceMonitorService service = new TraceMonitorService(config, JudgeBackends.create(config), metrics);
                 KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                service.start();
                Workload workload = traceFiles.isEmpty() ? demoWorkload(topics) : fileWorkload(config, topics);
                List<MonitorConfig> monitors = workload.experimentIds().stream().map(this::demoMonitor).toList();
                for (MonitorConfig monitor : monitors) {
                    producer.send(new ProducerRecord<>(topics.monitorConfig(), bytes(monitor.experimentId()),
                            MonitorConfigCodec.encode(monitor))).get();
                    out.println("  published monitor for experiment " + monitor.experimentId() + ": " + describe(monitor));
                }
                awaitAccepted(kafka.bootstrapServers(), topics.monitorStatus(), workload.experimentIds(), deadline(started));

                for (ProducerRecord<byte[], byte[]> record : workload.records()) {
                    producer.send(record);
                }
                producer.flush();
                out.println("  produced " + workload.description() + " to '" + topics.traces() + "'");
                out.println("  judging them; the sink commits to Delta every "
                        + Duration.parse(flushInterval).toString().substring(2).toLowerCase() + " ...");

                long dlq = awaitAllWritten(service, kafka.bootstrapServers(), topics.dlq(), workload, started);
                List<String> tablePaths = monitors.stream().map(monitor -> SinkTableKind.TRACE_LOGS.path(
                        new TableAddress(monitor.catalogName(), monitor.schemaName(), monitor.experimentId()),
                        warehouseAbs.toString())).toList();
                Summary summary = Summary.collect(tablePaths, workload.wellFormed(), workload.malformed(),
                        topics.dlq(), dlq, metrics, monitors);
                summary.print(out, Duration.ofNanos(System.nanoTime() - started));
                if (summaryFile != null) {
                    Files.writeString(summaryFile, summary.toJson(monitors.get(0)).toPrettyString());
                }
                int status = summary.rows() == workload.expectedRows() && dlq == workload.malformed() ? 0 : 1;
                if (serve) {
                    serveUntilSignalled(service, registry, monitors.get(0).experimentId());
                }
                return status;
            }
        } finally {
            deleteRecursively(work);
        }
    }

    /** Serves the page, with the service still running, until SIGINT or SIGTERM. */
    private void serveUntilSignalled(TraceMonitorService service, PrometheusMeterRegistry registry, String experimentId)
            throws IOException, InterruptedException {
        CountDownLatch stop = ServiceProcess.releasedOnSignal();
        try (OpsHttpServer http = OpsHttpServer.start(SERVE_ADDRESS, httpPort, registry, service::refreshMetrics,
                service::health, service.monitoringPage())) {
            out.println("  monitoring page: http://" + SERVE_ADDRESS + ":" + http.port() + "/?experiment_id="
                    + experimentId + " (Ctrl-C stops the demo)");
            out.flush();
            stop.await();
        }
    }

    /**
     * What the quickstart produces: the records, the experiments they belong to, and what must come out of them —
     * rows in the tables, records in the dead-letter topic.
     */
    private record Workload(List<ProducerRecord<byte[], byte[]>> records, List<String> experimentIds,
                            long wellFormed, long malformed, long expectedRows, String description) {
    }

    private Workload demoWorkload(Topics topics) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (DemoRecord record : new DemoTraces(42L, EXPERIMENT_ID, System.currentTimeMillis() - 3_600_000L)
                .generate(traces, malformed)) {
            records.add(new ProducerRecord<>(topics.traces(), bytes(record.key()), record.value()));
        }
        return new Workload(records, List.of(EXPERIMENT_ID), traces, malformed, traces,
                traces + " traces and " + malformed + " malformed records");
    }

    private Workload fileWorkload(ServiceConfig config, Topics topics) {
        TraceFiles files = TraceFiles.read(traceFiles, config.judging().traceDecoder(), topics.traces());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (TraceFiles.TraceFileRecord record : files.records()) {
            records.add(new ProducerRecord<>(topics.traces(), record.key() == null ? null : bytes(record.key()),
                    record.value()));
            if (record.trace() == null) {
                out.println("  " + record.file() + " #" + record.index() + " is not a trace of an experiment (it will be"
                        + " dead-lettered): " + record.error());
            }
        }
        if (files.experimentIds().isEmpty()) {
            throw new IllegalArgumentException("no trace in " + traceFiles + " decodes to a trace of an experiment");
        }
        long undecodable = files.undecodable();
        return new Workload(records, List.copyOf(files.experimentIds()), files.records().size() - undecodable,
                undecodable, files.monitorable(), files.records().size() + " records from " + traceFiles.size()
                + " trace file(s)");
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** Waits until every trace is committed and every malformed record dead-lettered; returns the dead-lettered count. */
    private long awaitAllWritten(TraceMonitorService service, String bootstrap, String dlqTopic, Workload workload,
                                 long started) {
        long rowsExpected = workload.expectedRows();
        long dlqExpected = workload.malformed();
        long deadline = deadline(started);
        try (KafkaConsumer<byte[], byte[]> dlq = consumer(bootstrap)) {
            List<TopicPartition> partitions = dlq.partitionsFor(dlqTopic).stream()
                    .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
            dlq.assign(partitions);
            dlq.seekToBeginning(partitions);
            long dlqCount = 0;
            long lastPrint = 0;
            String lastStatus = "";
            while (true) {
                dlqCount += dlq.poll(Duration.ofMillis(200)).count();
                long rows = service.sink().stats().rowsCommitted();
                if (rows >= rowsExpected && dlqCount >= dlqExpected) {
                    out.printf("  all %d traces are in Delta; %d records in the dead-letter topic%n", rows, dlqCount);
                    return dlqCount;
                }
                if (System.nanoTime() > deadline) {
                    out.printf("  timed out: %d/%d rows committed, %d/%d dead-lettered%n", rows, rowsExpected, dlqCount,
                            dlqExpected);
                    return dlqCount;
                }
                String status = String.format("  ... rows in Delta %d/%d, dead-lettered %d/%d, judge results %.0f",
                        rows, rowsExpected, dlqCount, dlqExpected, service.metrics().count("judge.outcomes"));
                if (!status.equals(lastStatus) && System.nanoTime() - lastPrint > PROGRESS_EVERY.toNanos()) {
                    out.println(status);
                    lastStatus = status;
                    lastPrint = System.nanoTime();
                }
            }
        }
    }

    private void awaitAccepted(String bootstrap, String statusTopic, List<String> experimentIds, long deadline) {
        Set<String> waiting = new HashSet<>(experimentIds);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
            TopicPartition partition = new TopicPartition(statusTopic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    MonitorStatus status = MonitorStatus.decode(record.value());
                    if (waiting.remove(status.experimentId())) {
                        out.println("  monitor status of experiment " + status.experimentId() + ": " + status.status()
                                + (status.reason() == null ? "" : " (" + status.reason() + ")"));
                        if (!MonitorStatus.ACCEPTED.equals(status.status())) {
                            throw new IllegalStateException("demo monitor rejected: " + status.reason());
                        }
                    }
                }
                if (waiting.isEmpty()) {
                    return;
                }
            }
            throw new IllegalStateException("no monitor status within the timeout for experiments " + waiting);
        }
    }

    MonitorConfig demoMonitor(String experimentId) {
        return new MonitorConfig(experimentId, "main", "monitoring", new AssessmentsConfig(
                sample == null ? DEFAULT_SAMPLE : sample, List.of(
                JudgeConfig.builtin(BuiltinJudge.SAFETY.wireName(), null),
                JudgeConfig.builtin(BuiltinJudge.RELEVANCE_TO_QUERY.wireName(), null),
                JudgeConfig.builtin(BuiltinJudge.GROUNDEDNESS.wireName(), null),
                JudgeConfig.builtin(BuiltinJudge.CHUNK_RELEVANCE.wireName(),
                        sample == null ? DEFAULT_CHUNK_RELEVANCE_SAMPLE : null))));
    }

    private static String describe(MonitorConfig monitor) {
        List<String> parts = new ArrayList<>();
        for (JudgeConfig judge : monitor.judges()) {
            parts.add(judge.name() + "@" + (judge.sampleRate() != null ? judge.sampleRate() : monitor.defaultSample()));
        }
        return String.join(", ", parts);
    }

    private long deadline(long started) {
        return started + Duration.parse(timeout).toNanos();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
