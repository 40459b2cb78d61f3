package dev.tracemonitor.delta;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.util.Map;

/**
 * The schema of a {@code trace_assessments_<experiment_id>} Delta table: one row per Assessment published on
 * {@code trace-feedback} (the MLflow Assessment fields, flat), with {@code late} telling whether the trace's row in
 * {@code trace_logs_<experiment_id>} lacks it because it arrived after the scoring deadline. Partitioned by
 * {@code create_date}, the UTC date of {@code create_time}.
 */
public final class TraceAssessmentsSchema {

    public static final String PARTITION_COLUMN = "create_date";

    /** Statistics on the leading id and name columns only (Kernel does not truncate string statistics). */
    public static final Map<String, String> TABLE_PROPERTIES = Map.of("delta.dataSkippingNumIndexedCols", "4");

    public static final StructType SCHEMA = new StructType()
            .add("trace_id", StringType.STRING, false)
            .add("assessment_id", StringType.STRING)
            .add("assessment_name", StringType.STRING)
            .add("span_id", StringType.STRING)
            .add("source", TraceLogsSchema.ASSESSMENT_SOURCE)
            .add("create_time", TimestampType.TIMESTAMP)
            .add("last_update_time", TimestampType.TIMESTAMP)
            .add(PARTITION_COLUMN, DateType.DATE)
            .add("feedback", TraceLogsSchema.FEEDBACK)
            .add("rationale", StringType.STRING)
            .add("metadata", TraceLogsSchema.STRING_MAP)
            .add("late", BooleanType.BOOLEAN);

    private TraceAssessmentsSchema() {
    }

    /** The {@code create_date} partition value of an assessment created at the given time. */
    public static int createDate(long createTimeMillis) {
        return TraceLogsSchema.requestDate(createTimeMillis);
    }
}
