package dev.tracemonitor.delta;

import dev.tracemonitor.model.Trace;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.StructType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** trace_logs as the service wrote it before the token columns: the same rows without them. */
public final class FirstSchemaTraceLogsTable extends DeltaTable<Trace> {

    static final List<String> TOKEN_COLUMNS = List.of("input_tokens", "output_tokens", "total_tokens");

    public FirstSchemaTraceLogsTable(Engine engine, String path) {
        super(engine, path);
    }

    static StructType schemaBeforeTokens() {
        return new StructType(TraceLogsSchema.SCHEMA.fields().stream()
                .filter(f -> !TOKEN_COLUMNS.contains(f.getName())).toList());
    }

    @Override
    protected StructType schema() {
        return schemaBeforeTokens();
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
        ColumnarBatch batch = TraceRowConverter.toBatch(traces);
        for (int i = 0; i < TOKEN_COLUMNS.size(); i++) {
            batch = batch.withDeletedColumnAt(batch.getSchema().length() - 1);
        }
        return new FilteredColumnarBatch(batch, Optional.empty());
    }
}
