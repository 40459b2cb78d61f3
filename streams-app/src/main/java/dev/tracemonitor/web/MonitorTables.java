package dev.tracemonitor.web;

import dev.tracemonitor.delta.TableScan;
import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.delta.TraceLogsSchema;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.sink.Warehouse;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.And;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Or;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.types.StructType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;

/**
 * What the monitoring page reads from the monitors' Delta tables, with Kernel: the Assessments created in a time range
 * (only the {@code create_date} partitions of the range are read), the requests of a range ({@code request_date}
 * partitions), and traces by id (files skipped by their {@code trace_id} statistics). Range reads are cached per table
 * version, so a page refreshed between two flushes reads no data file again; the history shown is that of the tables,
 * across restarts and instances.
 */
public final class MonitorTables {

    private static final int CACHED_READS = 64;
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private static final StructType ASSESSMENT_COLUMNS = columns(TraceAssessmentsSchema.SCHEMA, "trace_id",
            "assessment_id", "assessment_name", "span_id", "create_time", "feedback", "rationale");
    private static final StructType REQUEST_TIME_COLUMNS = columns(TraceLogsSchema.SCHEMA, "trace_id", "request_time");
    private static final StructType TRACE_COLUMNS = columns(TraceLogsSchema.SCHEMA, "trace_id", "request_time", "state",
            "execution_duration_ms", "request", "response", "spans");

    private final Engine engine;
    private final String warehouse;
    private final Configuration conf;
    private final Map<RangeRead, CachedRead<?>> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<RangeRead, CachedRead<?>> eldest) {
            return size() > CACHED_READS;
        }
    };
    private long dataReads;

    public MonitorTables(String warehouse, Configuration conf) {
        this.engine = DefaultEngine.create(conf);
        this.warehouse = warehouse;
        this.conf = conf;
    }

    /** A read of one table's partitions from one date to another, and the table version it was made at. */
    private record RangeRead(String path, int fromDate, int toDate) {
    }

    private record CachedRead<T>(long version, List<T> rows) {
    }

    /** The monitors that have written a table, by experiment id. */
    public List<TableAddress> monitors() {
        Map<String, TableAddress> monitors = new java.util.TreeMap<>();
        for (SinkTableKind kind : SinkTableKind.values()) {
            try {
                for (TableAddress address : new Warehouse(warehouse, conf, kind.tablePrefix()).tables()) {
                    monitors.putIfAbsent(address.experimentId(), address);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(monitors.values());
    }

    public Optional<TableAddress> monitor(String experimentId) {
        return monitors().stream().filter(m -> m.experimentId().equals(experimentId)).findFirst();
    }

    /** The Assessments created in {@code [fromMillis, toMillis)}, oldest first. */
    public List<AssessmentView> assessments(TableAddress monitor, long fromMillis, long toMillis) {
        List<AssessmentView> all = rangeRead(SinkTableKind.TRACE_ASSESSMENTS.path(monitor, warehouse),
                TraceAssessmentsSchema.PARTITION_COLUMN, fromMillis, toMillis, ASSESSMENT_COLUMNS,
                MonitorTables::assessment);
        return all.stream().filter(a -> a.createTimeMillis() >= fromMillis && a.createTimeMillis() < toMillis)
                .sorted(java.util.Comparator.comparingLong(AssessmentView::createTimeMillis)).toList();
    }

    /** How many traces were requested in {@code [fromMillis, toMillis)}. */
    public long tracesRequested(TableAddress monitor, long fromMillis, long toMillis) {
        List<Long> times = rangeRead(SinkTableKind.TRACE_LOGS.path(monitor, warehouse),
                TraceLogsSchema.PARTITION_COLUMN, fromMillis, toMillis, REQUEST_TIME_COLUMNS,
                row -> row.isNullAt(1) ? Long.MIN_VALUE : row.getLong(1) / 1000);
        return times.stream().filter(t -> t >= fromMillis && t < toMillis).count();
    }

    /** The traces of these ids that the monitor's trace_logs table holds, by id. */
    public Map<String, TraceView> traces(TableAddress monitor, Collection<String> traceIds) {
        Map<String, TraceView> found = new LinkedHashMap<>();
        if (traceIds.isEmpty()) {
            return found;
        }
        Optional<Snapshot> snapshot = snapshot(SinkTableKind.TRACE_LOGS.path(monitor, warehouse));
        if (snapshot.isEmpty()) {
            return found;
        }
        Predicate filter = null;
        for (String id : new TreeSet<>(traceIds)) {
            Predicate equal = new Predicate("=", new Column("trace_id"), Literal.ofString(id));
            filter = filter == null ? equal : new Or(filter, equal);
        }
        countDataRead();
        TableScan.forEachRow(engine, snapshot.get(), TRACE_COLUMNS, filter, row -> {
            if (traceIds.contains(row.getString(0))) {
                found.put(row.getString(0), trace(row));
            }
        });
        return found;
    }

    /** How many times a table's data files were read rather than answered from the cache. */
    public synchronized long dataReads() {
        return dataReads;
    }

    private synchronized void countDataRead() {
        dataReads++;
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> rangeRead(String path, String partitionColumn, long fromMillis, long toMillis,
                                  StructType columns, Function<Row, T> reader) {
        Optional<Snapshot> snapshot = snapshot(path);
        if (snapshot.isEmpty()) {
            return List.of();
        }
        RangeRead key = new RangeRead(path, Math.toIntExact(Math.floorDiv(fromMillis, MILLIS_PER_DAY)),
                Math.toIntExact(Math.floorDiv(toMillis, MILLIS_PER_DAY)));
        long version = snapshot.get().getVersion();
        synchronized (this) {
            CachedRead<?> cached = cache.get(key);
            if (cached != null && cached.version() == version) {
                return (List<T>) cached.rows();
            }
        }
        Column date = new Column(partitionColumn);
        Predicate partitions = new And(new Predicate(">=", date, Literal.ofDate(key.fromDate())),
                new Predicate("<=", date, Literal.ofDate(key.toDate())));
        List<T> rows = new ArrayList<>();
        countDataRead();
        TableScan.forEachRow(engine, snapshot.get(), columns, partitions, row -> rows.add(reader.apply(row)));
        synchronized (this) {
            cache.put(key, new CachedRead<>(version, List.copyOf(rows)));
        }
        return rows;
    }

    private Optional<Snapshot> snapshot(String path) {
        try {
            return Optional.of(Table.forPath(engine, path).getLatestSnapshot(engine));
        } catch (TableNotFoundException e) {
            return Optional.empty();
        }
    }

    private static AssessmentView assessment(Row row) {
        Row feedback = row.isNullAt(5) ? null : row.getStruct(5);
        String value = feedback == null || feedback.isNullAt(0) ? null : feedback.getString(0);
        Row error = feedback == null || feedback.isNullAt(1) ? null : feedback.getStruct(1);
        String errorText = error == null ? null : string(error, 0) + ": " + string(error, 1);
        return new AssessmentView(row.getString(0), string(row, 1), string(row, 2), string(row, 3),
                row.isNullAt(4) ? 0 : row.getLong(4) / 1000, value, errorText, string(row, 6));
    }

    private static TraceView trace(Row row) {
        List<TraceView.SpanView> spans = new ArrayList<>();
        if (!row.isNullAt(6)) {
            ArrayValue array = row.getArray(6);
            ColumnVector span = array.getElements();
            for (int i = 0; i < array.getSize(); i++) {
                ColumnVector status = span.getChild(6);
                spans.add(new TraceView.SpanView(string(span.getChild(0), i), string(span.getChild(1), i),
                        string(span.getChild(2), i), string(span.getChild(3), i), span.getChild(4).getLong(i),
                        span.getChild(5).getLong(i), status.isNullAt(i) ? null : string(status.getChild(0), i),
                        string(span.getChild(7), i), string(span.getChild(8), i)));
            }
        }
        return new TraceView(row.getString(0), row.isNullAt(1) ? 0 : row.getLong(1) / 1000, string(row, 2),
                row.isNullAt(3) ? null : row.getLong(3), string(row, 4), string(row, 5), spans);
    }

    private static String string(Row row, int ordinal) {
        return row.isNullAt(ordinal) ? null : row.getString(ordinal);
    }

    private static String string(ColumnVector vector, int row) {
        return vector.isNullAt(row) ? null : vector.getString(row);
    }

    private static StructType columns(StructType schema, String... names) {
        StructType columns = new StructType();
        for (String name : names) {
            columns = columns.add(schema.get(name));
        }
        return columns;
    }
}
