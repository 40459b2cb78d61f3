package dev.tracemonitor.delta;

import dev.tracemonitor.model.Trace;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.StructType;
import java.util.List;
import java.util.Map;

/**
 * One {@code trace_logs_<experiment_id>} Delta table: one row per trace in the {@link TraceLogsSchema} layout,
 * partitioned by {@code request_date}. See {@link DeltaTable} for writing and committing.
 */
public final class TraceLogsTable extends DeltaTable<Trace> {

    public TraceLogsTable(Engine engine, String path) {
        super(engine, path);
    }

    @Override
    protected StructType schema() {
        return TraceLogsSchema.SCHEMA;
    }

    @Override
    protected String partitionColumn() {
        return TraceLogsSchema.PARTITION_COLUMN;
    }

    @Override
    protected Map<String, String> tableProperties() {
        return TraceLogsSchema.TABLE_PROPERTIES;
    }

    @Override
    public int partitionDate(Trace trace) {
        return TraceLogsSchema.requestDate(trace.info().requestTimeMillis());
    }

    @Override
    protected FilteredColumnarBatch toBatch(List<Trace> traces) {
        return TraceRowConverter.toFilteredBatch(traces);
    }
}
