package dev.tracemonitor.metrics;

import dev.tracemonitor.sink.SinkStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Meters over the Delta sink's {@link SinkStats}: records read, rows committed per table, files, bytes and versions
 * committed, flushes and the duration of the last one, rows read and not yet committed, failures, and whether the sink
 * thread runs. The per-table counter of a table appears with its first commit ({@link #refresh()}, called before each
 * scrape).
 */
public final class SinkMetrics implements MeterBinder {

    public static final String PREFIX = TraceMonitorMetrics.PREFIX + "sink.";

    private final Supplier<SinkStats> stats;
    private final BooleanSupplier running;
    private final String warehouse;
    private final Set<String> boundTables = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;

    /**
     * @param warehouse the warehouse root, so that a table is tagged {@code catalog.schema.trace_logs_<id>} rather than
     *                  by its full path
     */
    public SinkMetrics(Supplier<SinkStats> stats, BooleanSupplier running, String warehouse) {
        this.stats = stats;
        this.running = running;
        this.warehouse = warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        counter(registry, "records.read", "records read from the assessed-traces topic", s -> s.recordsRead());
        counter(registry, "records.skipped", "records skipped: no table headers, not a trace, or an incompatible table",
                s -> s.skippedRecords());
        counter(registry, "records.already_committed", "records read again whose rows a table already holds",
                s -> s.recordsAlreadyCommitted());
        counter(registry, "files.committed", "Parquet data files committed", s -> s.dataFilesCommitted());
        counter(registry, "committed.bytes", "bytes of the Parquet data files committed", s -> s.bytesCommitted());
        counter(registry, "versions.committed", "Delta table versions committed", s -> s.deltaVersionsCommitted());
        counter(registry, "flushes", "flushes (scheduled, on revocation and on close)", s -> s.flushes());
        counter(registry, "write.failures", "failed writes of buffered rows to Parquet files", s -> s.failedWrites());
        counter(registry, "commit.failures", "failed Delta commits", s -> s.failedCommits());
        TimeGauge.builder(PREFIX + "flush.last.duration", stats, TimeUnit.NANOSECONDS,
                        s -> s.get().lastFlushDuration().toNanos())
                .description("duration of the last flush").register(registry);
        Gauge.builder(PREFIX + "buffer.rows", stats, s -> bufferRows(s.get()))
                .description("rows read and not yet committed to a table (in memory or in uncommitted files)")
                .register(registry);
        Gauge.builder(PREFIX + "running", running, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while the sink thread runs").register(registry);
        refresh();
    }

    /** Registers the rows counter of tables committed to since the last call. */
    public void refresh() {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        for (String table : stats.get().rowsCommittedPerTable().keySet()) {
            if (boundTables.add(table)) {
                FunctionCounter.builder(PREFIX + "rows.committed", stats,
                                s -> s.get().rowsCommittedPerTable().getOrDefault(table, 0L))
                        .description("rows committed to a Delta table").tag("table", tableTag(table)).register(r);
            }
        }
    }

    /**
     * Rows read minus rows skipped, already held or committed. Rows dropped to be read again (after a failed commit
     * or lost partitions) are counted twice until the process restarts, so this is an upper bound in those cases.
     */
    static long bufferRows(SinkStats s) {
        return Math.max(0, s.recordsRead() - s.skippedRecords() - s.recordsAlreadyCommitted() - s.rowsCommitted());
    }

    private String tableTag(String path) {
        String relative = path.startsWith(warehouse + "/") ? path.substring(warehouse.length() + 1) : path;
        return relative.replace('/', '.');
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<SinkStats> value) {
        FunctionCounter.builder(PREFIX + name, stats, s -> value.applyAsDouble(s.get())).description(description)
                .register(registry);
    }
}
