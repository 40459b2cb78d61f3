package dev.tracemonitor.delta;

import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.StructType;
import java.util.List;
import java.util.Map;

/**
 * One {@code trace_assessments_<experiment_id>} Delta table: one row per published Assessment in the
 * {@link TraceAssessmentsSchema} layout, partitioned by {@code create_date}. See {@link DeltaTable}.
 */
public final class TraceAssessmentsTable extends DeltaTable<AssessmentRow> {

    public TraceAssessmentsTable(Engine engine, String path) {
        super(engine, path);
    }

    @Override
    protected StructType schema() {
        return TraceAssessmentsSchema.SCHEMA;
    }

    @Override
    protected String partitionColumn() {
        return TraceAssessmentsSchema.PARTITION_COLUMN;
    }

    @Override
    protected Map<String, String> tableProperties() {
        return TraceAssessmentsSchema.TABLE_PROPERTIES;
    }

    @Override
    public int partitionDate(AssessmentRow row) {
        return TraceAssessmentsSchema.createDate(row.assessment().createTimeMillis());
    }

    @Override
    protected FilteredColumnarBatch toBatch(List<AssessmentRow> rows) {
        return AssessmentRowConverter.toFilteredBatch(rows);
    }
}
