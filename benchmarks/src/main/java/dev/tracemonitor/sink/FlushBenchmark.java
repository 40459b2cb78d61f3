package dev.tracemonitor.sink;

import dev.tracemonitor.delta.CommitOutcome;
import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.DeltaStorage;
import dev.tracemonitor.delta.TraceLogsTable;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * Load driver for one flush window of the Delta sink, without Kafka: feeds {@code --rows} demo traces (the
 * quickstart's mix, decoded from their JSON like the sink does) through the sink's per-table buffer with the sink's
 * bounds (a date's rows go to a Parquet file at {@code --max-rows-per-file}; past {@code --max-buffered-mb} of buffered
 * record bytes the largest buffer is written out), then flushes: the remaining buffers to Parquet and one Delta commit
 * with a transaction id per source partition. Repeats for {@code --rounds} windows (the first includes JIT warm-up),
 * printing per window the time to ingest and to flush, rows/s, files and bytes committed; at the end the process's
 * peak RSS (VmHWM from /proc/self/status). In the sink's package, for its per-table buffer ({@link SinkTable}).
 *
 * <pre>
 * benchmarks/run.sh flush      # 3 windows of 100,000 rows in a 1 GiB JVM (--quick: 20,000)
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.tracemonitor.sink.FlushBenchmark \
 *      [--rows 100000] [--rounds 3] [--dir /tmp/flush-bench] [--max-rows-per-file 50000] [--max-buffered-mb 64]
 * </pre>
 */
public final class FlushBenchmark {

    private FlushBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int rows = Integer.parseInt(options.getOrDefault("--rows", "100000"));
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
        long maxRowsPerFile = Long.parseLong(options.getOrDefault("--max-rows-per-file", "50000"));
        long maxBufferedBytes = Long.parseLong(options.getOrDefault("--max-buffered-mb", "64")) * 1024 * 1024;
        int partitions = 3;
        Path dir = Path.of(options.getOrDefault("--dir",
                Files.createTempDirectory("flush-bench-").toString())).toAbsolutePath();
        deleteRecursively(dir.resolve("trace_logs_bench"));
        String path = dir.resolve("trace_logs_bench").toString();
        Engine engine = DefaultEngine.create(DeltaStorage.configure(new Configuration()));
        BufferBudget budget = new BufferBudget(maxBufferedBytes);
        SinkTable table = new SinkTable(path, new TraceLogsTable(engine, path), budget);
        DemoTraces demo = new DemoTraces(1, "bench", System.currentTimeMillis() - 86_400_000L);
        System.out.printf("FlushBenchmark: %d rows per flush, %d rounds, max %d rows per file, %d MiB buffer bound,"
                        + " table %s, max heap %d MiB, %d cpus%n", rows, rounds, maxRowsPerFile,
                maxBufferedBytes >> 20, path, Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors());

        long offset = 0;
        for (int round = 1; round <= rounds; round++) {
            long ingestNanos = 0;
            long recordBytes = 0;
            int filesWrittenDuringIngest = 0;
            for (int i = 0; i < rows; i++) {
                DemoRecord record = demo.next();
                long t0 = System.nanoTime();
                Trace trace = TraceJsonCodec.decode(record.value());
                int date = table.delta().partitionDate(trace);
                int buffered = table.add((int) (offset % partitions), offset, date, trace, record.value().length);
                recordBytes += record.value().length;
                if (buffered >= maxRowsPerFile) {
                    table.writeBuffer(date);
                    filesWrittenDuringIngest++;
                }
                while (budget.exceeded()) {
                    table.writeBuffer(table.largestBuffer());
                    filesWrittenDuringIngest++;
                }
                ingestNanos += System.nanoTime() - t0;
                offset++;
            }
            long flushStart = System.nanoTime();
            SinkTable.Pending sealed = table.seal();
            sealed.writeAllBuffers();
            long written = System.nanoTime();
            List<DataFile> files = sealed.files();
            Map<String, Long> ids = new java.util.TreeMap<>();
            for (int p = 0; p < partitions; p++) {
                ids.put("bench-traces-assessed-" + p, offset - partitions + p);
            }
            CommitOutcome outcome = table.delta().commit(files, ids);
            long committed = System.nanoTime();
            if (!(outcome instanceof CommitOutcome.Committed commit)) {
                throw new IllegalStateException("not committed: " + outcome);
            }
            double flushSeconds = (committed - flushStart) / 1e9;
            double totalSeconds = (ingestNanos + committed - flushStart) / 1e9;
            System.out.printf("round %d: %d rows (%.1f MiB of trace JSON) -> version %d: %d files, %.1f MiB"
                            + " (avg %.1f MiB/file, %d written while buffering)%n", round, commit.rows(),
                    recordBytes / 1048576.0, commit.version(), commit.files(), commit.bytes() / 1048576.0,
                    commit.bytes() / 1048576.0 / commit.files(), filesWrittenDuringIngest);
            System.out.printf("  buffering (decode + rows + Parquet at the bounds) %.2f s; flush %.2f s (Parquet %.2f s,"
                            + " commit %.3f s%s); total %.2f s = %.0f rows/s%n", ingestNanos / 1e9, flushSeconds,
                    (written - flushStart) / 1e9, (committed - written) / 1e9,
                    commit.checkpointWritten() ? ", checkpoint" : "", totalSeconds, rows / totalSeconds);
        }
        System.out.println("peak RSS (VmHWM): " + status("VmHWM") + "; RSS now (VmRSS): " + status("VmRSS"));
    }

    private static String status(String key) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith(key + ":")).map(l -> l.substring(key.length() + 1).trim())
                    .findFirst().orElse("n/a");
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
