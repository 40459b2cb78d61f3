package dev.tracemonitor.bench;

import dev.tracemonitor.delta.DeltaTableStats;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * Watches a Delta table from outside the service: lists {@code _delta_log} every 100 ms and, when a new version
 * appears, reads the table's row count (from the files' statistics) with Kernel. The time of a commit is its log
 * file's modification time.
 */
public final class DeltaWatcher {

    /** A committed version: its number, the rows the table holds at it, and when its log file was written. */
    public record Commit(long version, long rows, long epochMillis) {
    }

    private final Path table;
    private final Engine engine = DefaultEngine.create(new Configuration());
    private long lastVersion = -1;
    private Commit last;

    public DeltaWatcher(Path table) {
        this.table = table;
    }

    /** Waits until the table holds at least {@code rows} rows; returns the commit that got it there. */
    public Commit awaitRows(long rows, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Commit commit = poll();
            if (commit != null && commit.rows() >= rows) {
                return commit;
            }
            Thread.sleep(100);
        }
        throw new TimeoutException("table " + table + " did not reach " + rows + " rows within " + timeout
                + " (last seen: " + last + ")");
    }

    /** The latest commit if a new version appeared since the last call, else the last one seen (null: none yet). */
    public Commit poll() throws IOException {
        long version = latestVersion();
        if (version > lastVersion) {
            Optional<DeltaTableStats> stats = DeltaTableStats.read(engine, table.toString());
            if (stats.isPresent()) {
                long v = stats.get().version();
                Path logFile = table.resolve("_delta_log").resolve(String.format("%020d.json", v));
                long when = Files.exists(logFile) ? Files.getLastModifiedTime(logFile).toMillis()
                        : System.currentTimeMillis();
                last = new Commit(v, stats.get().rows(), when);
                lastVersion = v;
            }
        }
        return last;
    }

    private long latestVersion() throws IOException {
        Path log = table.resolve("_delta_log");
        if (!Files.isDirectory(log)) {
            return -1;
        }
        try (Stream<Path> files = Files.list(log)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json") && n.length() == 25)
                    .mapToLong(n -> Long.parseLong(n.substring(0, 20)))
                    .max().orElse(-1);
        }
    }

    /** Uncommitted Parquet files under the table directory (written by the sink, not yet in any version). */
    public static long parquetFiles(Path table) throws IOException {
        if (!Files.isDirectory(table)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(table)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet")
                    && !p.toString().contains("_delta_log")).count();
        }
    }

    public static long bytesUnder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
