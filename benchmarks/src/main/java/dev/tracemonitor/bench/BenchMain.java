package dev.tracemonitor.bench;

import dev.tracemonitor.judges.local.LocalJudgeSettings;
import dev.tracemonitor.sink.FlushBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark harness, one command: {@code java -jar benchmarks/target/benchmarks.jar all [--quick]} (or
 * {@code benchmarks/run.sh}). Scenarios: {@code micro} (JMH, per-record paths), {@code judge} (judge calls/s against
 * the fake OpenAI endpoint), {@code pipeline} (traces/s at sampling 0, peak RSS, raw consumer read rate),
 * {@code local} (sampling 1.0 with the local judges: traces/s and feedback latency), {@code memory} (the sink's RSS
 * with a million rows pending), {@code judges} (the local judges against the labelled set: confusion matrix, precision
 * and recall of "no", agreement, latency per trace; {@link JudgeEvaluation}); {@code flush}, only when named, runs {@link FlushBenchmark} (one flush window of the
 * sink without Kafka); {@code overload}, only when named (about 12 minutes), judge demand of ten times the fake
 * endpoint's capacity for 5 minutes, then a drain at ten times its capacity: heap, backlog, exactly once
 * ({@link Overload}); {@code spark-vs-service}, only when named, Kafka to Delta by Spark Structured Streaming and by
 * the service on one pre-loaded topic ({@link SparkVsService}). Prints one table at the end and writes it to
 * {@code benchmarks/target/}.
 */
public final class BenchMain {

    static final List<String> JUDGES = List.of("safety", "relevance_to_query", "groundedness", "chunk_relevance");
    static final double SPARK_SMALL = 5_600;
    static final double SPARK_LARGE = 12_700;
    static final double GOAL_LARGE = 38_000;
    static final long RSS_GOAL = 400L * 1024 * 1024;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("logback.configurationFile", "bench-logback.xml");
        Options options = Options.parse(args);
        // The fake OpenAI endpoint is the JDK's HttpServer, which leaves Nagle's algorithm on: with the client's
        // delayed ACKs that adds about 40 ms to every reply (measured: 80.6 % of the ideal judge calls/s instead of
        // 97 %). Real endpoints set TCP_NODELAY; so does the harness, unless asked not to (to show the difference).
        // Read once, when the JDK's server classes load: it must be set before the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", Boolean.toString(options.fakeNoDelay()));
        Files.createDirectories(options.workDir());
        Report report = new Report();
        String header = header(options) + "\nservice: " + options.serviceEnv() + " java -Xmx" + options.serviceHeap() + " "
                + String.join(" ", options.serviceJvmOptions()) + " … TraceMonitorCommand run, flush "
                + options.flushInterval() + ", " + options.serviceSettings();
        System.out.println(header);
        long start = System.nanoTime();
        boolean failed = false;
        for (String scenario : options.scenarios()) {
            System.out.println("== " + scenario);
            try {
                switch (scenario) {
                    case "micro" -> micro(options, report);
                    case "judge" -> judge(options, report);
                    case "pipeline" -> pipeline(options, report);
                    case "local" -> local(options, report);
                    case "memory" -> memory(options, report);
                    case "judges" -> judges(options, report);
                    case "flush" -> flush(options);
                    case "overload" -> Overload.run(options, report);
                    case "spark-vs-service" -> SparkVsService.run(options, report);
                    default -> throw new IllegalArgumentException(scenario);
                }
            } catch (Exception e) {
                failed = true;
                report.note(scenario + " failed: " + e);
                e.printStackTrace();
            }
        }
        report.note(String.format("harness wall time %.0f s", (System.nanoTime() - start) / 1e9));
        System.out.println();
        System.out.print(report.render(header));
        Path out = options.repoRoot().resolve("benchmarks/target/bench-results-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
        report.write(out, header);
        System.out.println("(also written to " + out + ")");
        System.exit(failed ? 1 : 0);
    }

    private static String header(Options options) throws Exception {
        long memKb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                memKb = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return String.format("trace-monitor benchmarks %s — %s%s; %d cores, %.0f GiB, Java %s (%s)",
                options.quick() ? "(quick)" : "", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE),
                "", Runtime.getRuntime().availableProcessors(), memKb / 1048576.0,
                System.getProperty("java.version"), System.getProperty("java.vm.name"));
    }

    // ---------------------------------------------------------------- micro

    static void micro(Options options, Report report) throws Exception {
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include("dev\\.tracemonitor\\.bench\\.micro\\..*")
                .forks(1)
                .jvmArgs("-Xmx1g", "-Dlogback.configurationFile=bench-logback.xml")
                .shouldFailOnError(true);
        if (options.quick()) {
            jmh.warmupIterations(2).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
                    .measurementTime(TimeValue.seconds(1));
        } else {
            jmh.warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(1));
        }
        Map<String, String> names = new LinkedHashMap<>();
        names.put("TraceCodecBenchmark.decode", "TraceJsonCodec.decode, per trace");
        names.put("TraceCodecBenchmark.decodeReceived", "TraceJsonCodec.decodeReceived (decode, keep the bytes?), per trace");
        names.put("TraceCodecBenchmark.encode", "TraceJsonCodec.encode, per trace");
        names.put("SamplerBenchmark.u", "Sampler.u (SHA-256 of the id)");
        names.put("RowConverterBenchmark.toBatch", "TraceRowConverter.toBatch, per trace");
        names.put("ParquetWriteBenchmark.write", "convert + Kernel Parquet write, per trace");
        for (RunResult result : new Runner(jmh.build()).run()) {
            String label = result.getParams().getBenchmark();
            String shortName = label.substring(label.lastIndexOf('.', label.lastIndexOf('.') - 1) + 1);
            var primary = result.getPrimaryResult();
            String value = String.format("%.2f ± %.2f %s", primary.getScore(), primary.getScoreError(),
                    primary.getScoreUnit().replace("/op", "").replace("us", "µs"));
            report.add("micro (1 thread)", names.getOrDefault(shortName, shortName), value);
        }
    }

    // ---------------------------------------------------------------- judge

    static void judge(Options options, Report report) throws Exception {
        JudgeEfficiency.Result r = JudgeEfficiency.run(options.judgeInFlight(),
                Duration.ofMillis(options.judgeLatencyMillis()), options.judgeInFlight() * 10,
                options.judgeEvaluations());
        String section = "judge calls (" + r.maxInFlight() + " in flight, " + r.latency().toMillis() + " ms fake)";
        report.add(section, "achieved calls/s (" + r.calls() + " calls in " + String.format("%.2f s", r.seconds()) + ")",
                String.format("%.1f /s", r.callsPerSecond()));
        report.add(section, "vs ideal " + String.format("%.0f/s", r.ideal()),
                String.format("%.1f %%", 100 * r.efficiency()), "≥ 90 %", r.efficiency() >= 0.9);
        report.add(section, "call latency p50 / p99 (errors, max concurrent at server)",
                String.format("%.0f / %.0f ms (%d, %d)", r.p50Millis(), r.p99Millis(), r.errors(), r.maxConcurrent()));
    }

    // ---------------------------------------------------------------- pipeline, sampling 0

    static void pipeline(Options options, Report report) throws Exception {
        if (options.smallTraces() > 0) {
            throughputRun(options, report, "s0-small", options.smallTraces(), SPARK_SMALL, false);
        }
        if (options.largeTraces() > 0) {
            throughputRun(options, report, "s0-large", options.largeTraces(), SPARK_LARGE, true);
        }
    }

    private static void throughputRun(Options options, Report report, String name, long traces, double spark,
                                      boolean large) throws Exception {
        TraceCorpus corpus = new TraceCorpus(TraceCorpus.Settings.defaults(Session.EXPERIMENT), 0xB0L + traces);
        String section = String.format("pipeline, sampling 0, %,d traces", traces);
        try (Session session = Session.start(options, name, options.serviceHeap(), options.serviceSettings(), corpus)) {
            session.monitor(0.0, JUDGES);
            Session.Throughput t = session.throughput(traces, timeoutFor(traces, 2_000));
            long peak = session.service().peakRss();
            report.add(section, String.format("traces/s, first send → last Delta commit (%.1f s; %.0f B/trace)",
                            t.seconds(), (double) t.bytes() / t.traces()),
                    String.format("%,.0f", t.tracesPerSecond()),
                    large ? String.format("≥ %,.0f (3× Spark's %,.0f)", GOAL_LARGE, spark)
                            : String.format("> Spark's %,.0f", spark),
                    large ? t.tracesPerSecond() >= GOAL_LARGE : t.tracesPerSecond() > spark);
            report.add(section, "× Spark Structured Streaming on this machine",
                    String.format("%.2f×", t.tracesPerSecond() / spark));
            report.add(section, String.format("load driver send rate (done after %.1f s)", t.produceSeconds()),
                    String.format("%,.0f /s", t.traces() / t.produceSeconds()));
            report.add(section, "service peak RSS (VmHWM), -Xmx" + options.serviceHeap(), ProcStatus.mib(peak),
                    "< 400 MiB", peak < RSS_GOAL);
            report.add(section, "CPU seconds: service / broker / load driver (of " + String.format("%.0f", Runtime.getRuntime().availableProcessors() * t.seconds())
                            + " core-s)", String.format("%.1f / %.1f / %.1f", t.serviceCpu(), t.brokerCpu(), t.driverCpu()));
            if (options.threadCpu()) {
                System.out.println("  service CPU seconds by thread since start: " + ProcStatus.cpuByThread(session.service().pid()));
            }
            if (options.serviceJvmOptions().stream().anyMatch(o -> o.startsWith("-XX:NativeMemoryTracking"))) {
                Path nmt = session.dir().resolve("native-memory.txt");
                Files.writeString(nmt, session.service().nativeMemorySummary());
                System.out.println("  native memory summary: " + nmt);
            }
            if (large && options.rawRead()) {
                session.service().close();
                double rate = session.rawReadRate("traces", traces);
                report.add(section, "plain KafkaConsumer read of the same topic", String.format("%,.0f records/s", rate),
                        "Spark's machine: 60,000–100,000", rate >= 60_000);
            }
        }
    }

    // ---------------------------------------------------------------- local judges, sampling 1.0

    static void local(Options options, Report report) throws Exception {
        TraceCorpus corpus = new TraceCorpus(TraceCorpus.Settings.defaults(Session.EXPERIMENT), 0x51L);
        Map<String, String> settings = new LinkedHashMap<>(options.serviceSettings());
        settings.put("trace-monitor.judge.backend", "local");
        String heap = "768m";
        try (Session session = Session.start(options, "s1-local", heap, settings, corpus)) {
            session.monitor(1.0, JUDGES);
            String section = "sampling 1.0, local judges (" + String.join(", ", JUDGES) + ")";
            Session.Throughput t = session.throughput(options.s1Traces(), timeoutFor(options.s1Traces(), 20));
            report.add(section, String.format("traces/s, %,d traces, first send → last Delta commit (%.1f s)",
                    t.traces(), t.seconds()), String.format("%,.0f", t.tracesPerSecond()));
            Session.Latency l = session.feedbackLatency(options.latencyRate(), options.latencySeconds(),
                    Duration.ofMinutes(5));
            report.add(section, String.format("feedback latency p50 / p95 / p99, send → read_committed consumer"
                            + " (%,d assessments of %,d traces at %.0f traces/s)", l.assessments(), l.traces(), l.rate()),
                    String.format("%.0f / %.0f / %.0f ms", l.p50(), l.p95(), l.p99()));
            report.add(section, "service peak RSS (VmHWM), -Xmx" + heap + ", embedding model loaded",
                    ProcStatus.mib(session.service().peakRss()));
        }
    }

    // ---------------------------------------------------------------- local judges against the labelled set

    static void judges(Options options, Report report) throws Exception {
        List<JudgeEvaluation.Item> items = JudgeEvaluation.items();
        LocalJudgeSettings settings = LocalJudgeSettings.defaults();
        JudgeEvaluation.Result result = JudgeEvaluation.run(settings, items);
        for (String split : List.of("dev", "test", "all")) {
            String section = "local judges, " + split + " split";
            for (String judge : JUDGES) {
                List<JudgeEvaluation.Answer> answers = result.answers().stream()
                        .filter(a -> a.item().judge().equals(judge))
                        .filter(a -> split.equals("all") || a.item().split().equals(split))
                        .toList();
                JudgeEvaluation.Counts c = JudgeEvaluation.Counts.of(answers);
                report.add(section, judge + ": label no → no / yes / n/a; label yes → no / yes / n/a",
                        String.format("%d / %d / %d; %d / %d / %d", c.noAsNo(), c.noAsYes(), c.noAsOther(),
                                c.yesAsNo(), c.yesAsYes(), c.yesAsOther()));
                report.add(section, judge + ": recall of no", String.format("%.3f", c.recallNo()), "≥ 0.85",
                        c.recallNo() >= 0.85);
                report.add(section, judge + ": precision of no", String.format("%.3f", c.precisionNo()), "≥ 0.85",
                        c.precisionNo() >= 0.85);
                report.add(section, judge + ": agreement (" + c.total() + " items)",
                        String.format("%.3f", c.agreement()));
            }
        }
        double p50 = JudgeEvaluation.percentile(result.traceNanos(), 0.50) / 1e6;
        double p99 = JudgeEvaluation.percentile(result.traceNanos(), 0.99) / 1e6;
        report.add("local judges, latency", String.format("one trace, all 4 judges in turn, p50 / p99 (%d traces, "
                        + "%d embedding threads, after a warm-up pass)", result.traceNanos().length,
                settings.embeddingThreads()), String.format("%.1f / %.1f ms", p50, p99), "p99 < 50 ms", p99 < 50);
        result.judgeNanos().forEach((judge, nanos) -> report.add("local judges, latency",
                String.format("%s alone, p50 / p99", judge.wireName()), String.format("%.1f / %.1f ms",
                        JudgeEvaluation.percentile(nanos, 0.50) / 1e6, JudgeEvaluation.percentile(nanos, 0.99) / 1e6)));
        if (options.judgesMisses()) {
            Path dump = options.repoRoot().resolve("benchmarks/target/judges-dev.jsonl");
            JudgeEvaluation.writeDev(result, dump);
            System.out.println("  dev answers with their metadata written to " + dump);
            System.out.println("  dev items the local judges got wrong:");
            result.answers().stream()
                    .filter(a -> a.item().split().equals("dev") && !a.correct())
                    .forEach(a -> System.out.printf("    %s [%s/%s] label %s, judged %s: %s%n      %s%n", a.item().id(),
                            a.item().category(), a.item().kind(), a.item().label(), a.value(), a.rationale(),
                            a.item().response().isEmpty() ? a.item().context() : a.item().response()));
            System.out.println("  slowest traces (all splits: latency is not calibrated, so test items may be named):");
            result.answers().stream()
                    .sorted(java.util.Comparator.comparingLong(JudgeEvaluation.Answer::nanos).reversed())
                    .limit(10)
                    .forEach(a -> System.out.printf("    %s %.1f ms (response %d chars, context %d chars)%n",
                            a.item().id(), a.nanos() / 1e6, a.item().response().length(),
                            a.item().context().stream().mapToInt(String::length).sum()));
        }
    }

    // ---------------------------------------------------------------- the sink's memory with rows pending

    static void memory(Options options, Report report) throws Exception {
        TraceCorpus corpus = new TraceCorpus(TraceCorpus.Settings.defaults(Session.EXPERIMENT), 0x3EL);
        Map<String, String> settings = new LinkedHashMap<>(options.serviceSettings());
        settings.put("trace-monitor.streams.enabled", "false");
        settings.put("trace-monitor.flush.interval", "PT24H");
        long n = options.memoryTraces();
        String section = String.format("Delta sink alone, %,d rows pending (flush PT24H)", n);
        try (Session session = Session.start(options, "sink-pending", options.serviceHeap(), settings, corpus)) {
            ServiceProcess service = session.service();
            service.heapUsed(); // attach JMX before the load, so the agent's memory is in every figure
            long before = service.rss();
            long startMillis = System.currentTimeMillis();
            LoadDriver.Result produced = session.produceAssessed(n);
            long deadline = System.nanoTime() + timeoutFor(n, 1_000).toNanos();
            double consumed = 0;
            while (System.nanoTime() < deadline && (consumed = service.consumerMetric("delta-sink",
                    "records-consumed-total")) < n) {
                Thread.sleep(200);
            }
            long consumedMillis = System.currentTimeMillis();
            if (consumed < n) {
                throw new IllegalStateException("the sink consumed " + consumed + " of " + n + " records");
            }
            Thread.sleep(2000);
            long rss = service.rss();
            long peak = service.peakRss();
            long heapUsed = service.heapUsed();
            boolean committed = Files.exists(session.table().resolve("_delta_log"))
                    && session.watcher().poll() != null && session.watcher().poll().rows() > 0;
            report.add(section, "service RSS before the load / with every row pending",
                    ProcStatus.mib(before) + " / " + ProcStatus.mib(rss));
            report.add(section, "service peak RSS (VmHWM), -Xmx" + options.serviceHeap(), ProcStatus.mib(peak),
                    "< 400 MiB", peak < RSS_GOAL);
            report.add(section, "heap in use / uncommitted Parquet files / their size",
                    String.format("%s / %d / %s", ProcStatus.mib(heapUsed), DeltaWatcher.parquetFiles(session.table()),
                            ProcStatus.mib(DeltaWatcher.bytesUnder(session.table()))));
            report.add(section, "sink ingest rate alone (first send → all consumed)",
                    String.format("%,.0f traces/s", n * 1000.0 / (consumedMillis - startMillis)));
            if (committed) {
                report.note("memory: a Delta commit happened during the run (the flush interval boundary was crossed)");
            }
            if (produced.wellFormed() != n) {
                report.note("memory: " + (n - produced.wellFormed()) + " malformed records were produced");
            }
        }
    }

    // ---------------------------------------------------------------- flush

    /** {@link FlushBenchmark} in a child JVM with a 1 GiB heap; it prints its own figures (per window, peak RSS). */
    static void flush(Options options) throws Exception {
        List<String> command = List.of(Java.executable(), "-Xmx1g", "-Dlogback.configurationFile=bench-logback.xml",
                "-cp", System.getProperty("java.class.path"), FlushBenchmark.class.getName(),
                "--rows", options.quick() ? "20000" : "100000", "--rounds", "3",
                "--dir", options.workDir().resolve("flush").toString());
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("FlushBenchmark exited with " + exit);
        }
    }

    private static Duration timeoutFor(long records, double minRatePerSecond) {
        return Duration.ofSeconds(Math.max(120, (long) (records / minRatePerSecond) + 60));
    }
}
