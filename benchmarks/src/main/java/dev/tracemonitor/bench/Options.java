package dev.tracemonitor.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The harness's options, {@code --key=value}; {@code --quick} scales every load down. */
public record Options(
        List<String> scenarios,
        boolean quick,
        Path repoRoot,
        Path workDir,
        String serviceHeap,
        List<String> serviceJvmOptions,
        String flushInterval,
        Map<String, String> serviceSettings,
        long smallTraces,
        long largeTraces,
        long s1Traces,
        double latencyRate,
        int latencySeconds,
        long memoryTraces,
        int judgeInFlight,
        int judgeLatencyMillis,
        int judgeEvaluations,
        boolean rawRead,
        boolean fakeNoDelay,
        boolean threadCpu,
        boolean judgesMisses,
        double overloadMinutes,
        double overloadFactor,
        int overloadEndpointThreads,
        int overloadLatencyMillis,
        double overloadDrainFactor,
        Map<String, String> serviceEnv,
        long sparkTraces,
        String sparkHeap) {

    public static final List<String> ALL = List.of("micro", "judge", "pipeline", "local", "memory", "judges");
    /** Scenarios that run only when named. */
    public static final List<String> NAMED_ONLY = List.of("flush", "overload", "spark-vs-service");

    static Options parse(String[] args) {
        List<String> scenarios = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> settings = new LinkedHashMap<>();
        // the sink's rows per Parquet file (default 50,000): 10,000 keeps its buffered traces and the file being
        // written within a 192 MB heap (at 50,000 the live set peaks near 180 MB and the heap thrashes)
        settings.put("trace-monitor.sink.max.rows.per.file", "10000");
        boolean quick = false;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.startsWith("-D")) {
                String kv = arg.substring(2);
                int eq = kv.indexOf('=');
                settings.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("options are --key=value: " + arg);
                }
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (arg.equals("all")) {
                scenarios.addAll(ALL);
            } else if (ALL.contains(arg) || NAMED_ONLY.contains(arg)) {
                scenarios.add(arg);
            } else {
                throw new IllegalArgumentException("unknown scenario '" + arg + "'; known: all, " + ALL + ", "
                        + NAMED_ONLY);
            }
        }
        if (scenarios.isEmpty()) {
            scenarios.addAll(ALL);
        }
        Path root = Path.of(values.getOrDefault("repo-root", defaultRoot().toString())).toAbsolutePath().normalize();
        Path work = Path.of(values.getOrDefault("work-dir", root.resolve("benchmarks/target/bench-run").toString()));
        List<String> jvm = new ArrayList<>();
        // a 2-core box and a small heap: the serial collector costs the least CPU and native memory (it is also what
        // the JVM picks by itself in a container with under 2 CPUs or 1792 MB)
        String jvmValue = values.getOrDefault("service-jvm", "-XX:+UseSerialGC");
        if (!jvmValue.isBlank()) {
            jvm.addAll(List.of(jvmValue.trim().split("\\s+")));
        }
        return new Options(scenarios, quick, root, work,
                values.getOrDefault("service-heap", "192m"),
                jvm,
                values.getOrDefault("flush-interval", "PT1S"),
                settings,
                Long.parseLong(values.getOrDefault("small-traces", quick ? "20000" : "100000")),
                Long.parseLong(values.getOrDefault("large-traces", quick ? "100000" : "500000")),
                Long.parseLong(values.getOrDefault("s1-traces", quick ? "1000" : "3000")),
                Double.parseDouble(values.getOrDefault("latency-rate", "20")),
                Integer.parseInt(values.getOrDefault("latency-seconds", quick ? "10" : "30")),
                Long.parseLong(values.getOrDefault("memory-traces", quick ? "100000" : "1000000")),
                Integer.parseInt(values.getOrDefault("judge-in-flight", "64")),
                Integer.parseInt(values.getOrDefault("judge-latency-ms", "200")),
                Integer.parseInt(values.getOrDefault("judge-evaluations", quick ? "1280" : "3200")),
                Boolean.parseBoolean(values.getOrDefault("raw-read", "true")),
                Boolean.parseBoolean(values.getOrDefault("fake-nodelay", "true")),
                Boolean.parseBoolean(values.getOrDefault("thread-cpu", "false")),
                // judges: also list the dev items each local judge got wrong (never the test items: tune on dev)
                Boolean.parseBoolean(values.getOrDefault("judges-misses", "false")),
                // overload: judge demand of factor × the fake endpoint's threads / latency calls/s for these minutes;
                // then the endpoint's latency is divided by the drain factor (its capacity multiplied by it), so
                // that the drain takes about (factor − 1) / drain factor × as long, if the service keeps up
                Double.parseDouble(values.getOrDefault("overload-minutes", "5")),
                Double.parseDouble(values.getOrDefault("overload-factor", "10")),
                Integer.parseInt(values.getOrDefault("overload-endpoint-threads", "4")),
                Integer.parseInt(values.getOrDefault("overload-latency-ms", "200")),
                Double.parseDouble(values.getOrDefault("overload-drain-factor", "10")),
                // glibc's malloc makes an arena per thread that allocates natively (Kafka, RocksDB, Parquet codecs);
                // two arenas save some 10 MB of RSS (measured: 407 → 400 MiB peak on the 500,000-trace run)
                keyValues(values.getOrDefault("service-env", "MALLOC_ARENA_MAX=2")),
                // spark-vs-service: traces pre-loaded for Spark and the service; the Spark driver's heap
                Long.parseLong(values.getOrDefault("spark-traces", quick ? "20000" : "200000")),
                values.getOrDefault("spark-heap", "1g"));
    }

    /** {@code K=V,K2=V2} as a map. */
    private static Map<String, String> keyValues(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return map;
    }

    /** The checkout: two levels above benchmarks/target/benchmarks.jar, else the working directory. */
    private static Path defaultRoot() {
        try {
            Path jar = Path.of(Options.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent().getParent().getParent();
            if (root != null && Files.exists(root.resolve("streams-app"))) {
                return root;
            }
        } catch (Exception ignored) {
            // fall through
        }
        return Path.of("").toAbsolutePath();
    }
}
