package dev.tracemonitor.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Scenario {@code spark-vs-service} (only when named): the copy half of the job, Kafka to Delta, done by a Spark
 * Structured Streaming query ({@code benchmarks-spark}'s {@code KafkaToDeltaJob}: Kafka source, {@code from_json}
 * into the trace_logs columns, Delta sink, AvailableNow, local[2], {@code --spark-heap}) and by the service
 * ({@code streams-app/bin/trace-monitor run} with the launcher's defaults), one after the other on the same
 * pre-loaded topic: {@code --spark-traces} MLflow traces of 4 monitored experiments (sampling 0) in the 3 partitions of
 * {@code traces}. Each is timed from its process's launch to the Delta commit that holds every trace (the log file's
 * time), with its peak RSS (VmHWM) and CPU seconds from {@code /proc} at that moment.
 *
 * <p>Before the load, the service runs once on the empty topic to create the topics and accept the monitors, and is
 * stopped: the timed run is a restart on a backlog, its groups with no offsets yet (so from the earliest).
 */
final class SparkVsService {

    static final List<String> EXPERIMENTS = List.of("bench1", "bench2", "bench3", "bench4");
    private static final Pattern FLUSH = Pattern.compile(
            "Flush \\(\\w+\\) finished: .* rows in (\\d+) data files, .* took (\\d+) ms");
    private static final Pattern POLL_GAP = Pattern.compile("longest gap between polls so far (\\d+) ms");

    /** One process's run: launch to durable, CPU seconds and peak RSS at that moment. */
    record Run(double seconds, double cpuSeconds, long peakRss) {
        double cpuPer100k(long traces) {
            return cpuSeconds * 100_000 / traces;
        }
    }

    private SparkVsService() {
    }

    static void run(Options options, Report report) throws Exception {
        long traces = options.sparkTraces() - options.sparkTraces() % EXPERIMENTS.size();
        Path dir = options.workDir().resolve("spark-vs-service");
        Session.deleteRecursively(dir);
        Files.createDirectories(dir);
        Path warehouse = dir.resolve("warehouse");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("trace-monitor.warehouse", warehouse.toString());
        settings.put("state.dir", dir.resolve("state").toString());
        settings.put("trace-monitor.flush.interval", options.flushInterval());
        // no HTTP endpoint: the default port may be taken on a shared machine, and nothing here reads it
        settings.put("trace-monitor.http.port", "-1");
        Duration timeout = Duration.ofSeconds(Math.max(300, traces / 1_000 + 120));
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("kafka"), dir.resolve("broker.log"), "1g");
             Kafka kafka = new Kafka(broker.bootstrapServers())) {
            settings.put("bootstrap.servers", broker.bootstrapServers());
            try (ServiceProcess setup = ServiceProcess.startWithLauncher(options.repoRoot(),
                    dir.resolve("service-setup.log"), settings)) {
                kafka.awaitTopics(Session.TOPICS, Duration.ofSeconds(90));
                for (String experiment : EXPERIMENTS) {
                    kafka.publishMonitor(experiment, Session.monitorConfig(experiment, 0.0, BenchMain.JUDGES),
                            Duration.ofSeconds(120));
                }
            }
            long bytes = preload(kafka, traces);
            System.out.printf("  pre-loaded %,d traces (%,.0f B each) of %d experiments%n", traces,
                    (double) bytes / traces, EXPERIMENTS.size());

            Path sparkTable = dir.resolve("spark").resolve("trace_logs");
            long sparkLaunch = System.currentTimeMillis();
            Run spark;
            try (SparkJobProcess job = SparkJobProcess.start(options.repoRoot(), dir.resolve("spark.log"),
                    options.sparkHeap(), broker.bootstrapServers(), "traces", sparkTable,
                    dir.resolve("spark").resolve("checkpoint"))) {
                spark = awaitDurable(job.pid(), job::isAlive, sparkLaunch, List.of(new DeltaWatcher(sparkTable)),
                        traces, timeout, dir.resolve("spark.log"));
                int exit = job.awaitExit(120);
                if (exit != 0) {
                    throw new IllegalStateException("the Spark job exited with " + exit + "; see " + dir.resolve("spark.log"));
                }
            }

            List<DeltaWatcher> tables = new ArrayList<>();
            EXPERIMENTS.forEach(e -> tables.add(new DeltaWatcher(Session.traceLogs(warehouse, e))));
            Path serviceLog = dir.resolve("service.log");
            long serviceLaunch = System.currentTimeMillis();
            Run service;
            try (ServiceProcess process = ServiceProcess.startWithLauncher(options.repoRoot(), serviceLog, settings)) {
                service = awaitDurable(process.pid(), process::isAlive, serviceLaunch, tables,
                        traces / EXPERIMENTS.size(), timeout, serviceLog);
            }
            report(report, options, traces, spark, service, serviceLog);
        } finally {
            for (String data : List.of("kafka", "warehouse", "state", "spark")) {
                Session.deleteRecursively(dir.resolve(data));
            }
        }
    }

    /** Produces the traces, the experiments in turn, flat out; returns their bytes. */
    private static long preload(Kafka kafka, long traces) throws Exception {
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = kafka.loadProducer(10)) {
            for (String experiment : EXPERIMENTS) {
                TraceCorpus corpus = new TraceCorpus(TraceCorpus.Settings.defaults(experiment),
                        0x5A0L + experiment.hashCode());
                LoadDriver.Result result = new LoadDriver(corpus).produce(producer, "traces",
                        traces / EXPERIMENTS.size(), 0, null, false);
                bytes += result.bytes();
            }
        }
        return bytes;
    }

    /**
     * Waits until every table holds {@code rowsPerTable} rows, reading the process's CPU seconds and peak RSS as soon
     * as they do; the time is from launch to the latest of those tables' commits.
     */
    private static Run awaitDurable(long pid, BooleanSupplier alive, long launchMillis, List<DeltaWatcher> tables,
                                    long rowsPerTable, Duration timeout, Path log) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            double cpu = ProcStatus.cpuSeconds(pid);
            long peak = ProcStatus.peakRss(pid);
            long durableAt = 0;
            for (DeltaWatcher table : tables) {
                DeltaWatcher.Commit commit = table.poll();
                if (commit == null || commit.rows() < rowsPerTable) {
                    durableAt = -1;
                    break;
                }
                durableAt = Math.max(durableAt, commit.epochMillis());
            }
            if (durableAt > 0) {
                return new Run((durableAt - launchMillis) / 1000.0, cpu, peak);
            }
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException("process " + pid + " exited before its tables held every trace; see "
                        + log);
            }
            Thread.sleep(100);
        }
        throw new TimeoutException("not every trace was durable within " + timeout + "; see " + log);
    }

    private static void report(Report report, Options options, long traces, Run spark, Run service, Path serviceLog)
            throws Exception {
        String section = String.format("Kafka → Delta, %,d pre-loaded traces, 4 experiments, flush %s", traces,
                options.flushInterval());
        report.add(section, "Spark Structured Streaming (AvailableNow, local[2], -Xmx" + options.sparkHeap()
                        + "): launch → durable / CPU s / peak RSS",
                String.format("%.1f s / %.0f CPU-s / %s", spark.seconds(), spark.cpuSeconds(),
                        ProcStatus.mib(spark.peakRss())));
        report.add(section, "trace-monitor run (launcher defaults): launch → durable / CPU s / peak RSS",
                String.format("%.1f s / %.0f CPU-s / %s", service.seconds(), service.cpuSeconds(),
                        ProcStatus.mib(service.peakRss())));
        double ratio = spark.seconds() / service.seconds();
        report.add(section, "speed-up over Spark (Spark's time / the service's)", String.format("%.2f×", ratio),
                "≥ 2×", ratio >= 2);
        report.add(section, "service peak RSS", ProcStatus.mib(service.peakRss()),
                "≤ 600 MiB and ≤ ⅓ of Spark's", service.peakRss() <= 600L * 1024 * 1024
                        && service.peakRss() * 3 <= spark.peakRss());
        report.add(section, "CPU seconds per 100,000 traces: Spark / service",
                String.format("%.1f / %.1f", spark.cpuPer100k(traces), service.cpuPer100k(traces)));
        List<String> lines = Files.readAllLines(serviceLog);
        List<Long> commits = new ArrayList<>();
        List<Long> files = new ArrayList<>();
        long pollGap = -1;
        for (String line : lines) {
            Matcher flush = FLUSH.matcher(line);
            if (flush.find()) {
                files.add(Long.parseLong(flush.group(1)));
                commits.add(Long.parseLong(flush.group(2)));
            }
            Matcher gap = POLL_GAP.matcher(line);
            if (gap.find()) {
                pollGap = Math.max(pollGap, Long.parseLong(gap.group(1)));
            }
        }
        if (!commits.isEmpty()) {
            long p50 = median(commits);
            report.add(section, String.format("service flush p50 / max, from its log (%d flushes, median %d files)",
                            commits.size(), median(files)),
                    String.format("%d / %d ms", p50, commits.stream().mapToLong(Long::longValue).max().orElseThrow()),
                    "p50 < 1 s", p50 < 1_000);
        }
        if (pollGap >= 0) {
            report.add(section, "service sink's longest gap between polls, from its log", pollGap + " ms", "< 1 s",
                    pollGap < 1_000);
        }
    }

    private static long median(List<Long> values) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }
}
