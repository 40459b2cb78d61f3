package dev.tracemonitor.metrics;

import dev.tracemonitor.sink.DeltaSink;
import dev.tracemonitor.sink.SinkStats;
import dev.tracemonitor.sink.SinkTableKind;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Meters over each Delta sink's {@link SinkStats}: records read, rows committed per table, files, bytes and versions
 * committed, flushes and the duration of the last one, rows read and not yet committed, failures, and whether the sink
 * thread runs. Every sink has the same meters under the prefix of its kind ({@link #prefix}): the trace_logs sink's
 * are {@code trace_monitor.sink.*}, the assessments sink's {@code trace_monitor.sink.assessments.*}. The per-table
 * counter of a table appears with its first commit ({@link #refresh()}, called before each scrape).
 */
public final class SinkMetrics implements MeterBinder {

    private static final String PREFIX = TraceMonitorMetrics.PREFIX + "sink.";

    private final List<Bound> sinks;
    private volatile MeterRegistry registry;

    public SinkMetrics(List<DeltaSink> sinks) {
        this.sinks = sinks.stream().map(Bound::new).toList();
    }

    /** The name prefix of a sink's meters. */
    private static String prefix(SinkTableKind kind) {
        return switch (kind) {
            case TRACE_LOGS -> PREFIX;
            case TRACE_ASSESSMENTS -> PREFIX + "assessments.";
        };
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        sinks.forEach(sink -> sink.bindTo(registry));
        refresh();
    }

    /** Registers the rows counter of tables committed to since the last call. */
    public void refresh() {
        MeterRegistry r = registry;
        if (r != null) {
            sinks.forEach(sink -> sink.refresh(r));
        }
    }

    /**
     * Rows read minus rows skipped, already held or committed. Rows dropped to be read again (after a failed commit
     * or lost partitions) are counted twice until the process restarts, so this is an upper bound in those cases.
     */
    static long bufferRows(SinkStats s) {
        return Math.max(0, s.recordsRead() - s.skippedRecords() - s.recordsAlreadyCommitted() - s.rowsCommitted());
    }

    /** One sink's meters. The meters reference the sink itself, which the service holds for as long as it runs. */
    private static final class Bound {
        private final DeltaSink sink;
        private final String prefix;
        private final String warehouse;
        private final Set<String> boundTables = ConcurrentHashMap.newKeySet();

        Bound(DeltaSink sink) {
            this.sink = sink;
            this.prefix = prefix(sink.config().kind());
            String root = sink.config().warehouse();
            this.warehouse = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        }

        void bindTo(MeterRegistry registry) {
            counter(registry, "records.read", "records read from the sink's topic", SinkStats::recordsRead);
            counter(registry, "records.skipped", "records skipped: no table headers, not a row, or an incompatible table",
                    SinkStats::skippedRecords);
            counter(registry, "records.already_committed", "records read again whose rows a table already holds",
                    SinkStats::recordsAlreadyCommitted);
            counter(registry, "files.committed", "Parquet data files committed", SinkStats::dataFilesCommitted);
            counter(registry, "committed.bytes", "bytes of the Parquet data files committed", SinkStats::bytesCommitted);
            counter(registry, "versions.committed", "Delta table versions committed", SinkStats::deltaVersionsCommitted);
            counter(registry, "flushes", "flushes (scheduled, on revocation and on close)", SinkStats::flushes);
            counter(registry, "write.failures", "failed writes of buffered rows to Parquet files", SinkStats::failedWrites);
            counter(registry, "commit.failures", "failed Delta commits", SinkStats::failedCommits);
            TimeGauge.builder(prefix + "flush.last.duration", sink, TimeUnit.NANOSECONDS,
                            s -> s.stats().lastFlushDuration().toNanos())
                    .description("duration of the last flush").register(registry);
            Gauge.builder(prefix + "buffer.rows", sink, s -> bufferRows(s.stats()))
                    .description("rows read and not yet committed to a table (in memory or in uncommitted files)")
                    .register(registry);
            Gauge.builder(prefix + "running", sink, s -> s.isRunning() ? 1 : 0)
                    .description("1 while the sink thread runs").register(registry);
        }

        void refresh(MeterRegistry registry) {
            for (String table : sink.stats().rowsCommittedPerTable().keySet()) {
                if (boundTables.add(table)) {
                    FunctionCounter.builder(prefix + "rows.committed", sink,
                                    s -> s.stats().rowsCommittedPerTable().getOrDefault(table, 0L))
                            .description("rows committed to a Delta table").tag("table", tableTag(table))
                            .register(registry);
                }
            }
        }

        private String tableTag(String path) {
            String relative = path.startsWith(warehouse + "/") ? path.substring(warehouse.length() + 1) : path;
            return relative.replace('/', '.');
        }

        private void counter(MeterRegistry registry, String name, String description,
                             ToDoubleFunction<SinkStats> value) {
            FunctionCounter.builder(prefix + name, sink, s -> value.applyAsDouble(s.stats())).description(description)
                    .register(registry);
        }
    }
}
