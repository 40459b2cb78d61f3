package dev.tracemonitor.delta;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.util.List;
import java.util.Map;

/**
 * The schema of a {@code trace_logs_<experiment_id>} Delta table, after Databricks' {@code trace_logs} view: one row per
 * trace, partitioned by {@code request_date} (the UTC date of {@code request_time}). Span attributes leave out
 * {@code mlflow.spanType}, {@code mlflow.spanInputs} and {@code mlflow.spanOutputs}, which have their own columns.
 */
public final class TraceLogsSchema {

    public static final String PARTITION_COLUMN = "request_date";
    public static final List<String> PARTITION_COLUMNS = List.of(PARTITION_COLUMN);

    /**
     * Table properties set when a table is created. Statistics are collected on the first five data columns only
     * (trace_id, client_request_id, request_time, state, execution_duration_ms): Kernel does not truncate string
     * statistics, and min/max of the request and response texts would bloat every commit.
     */
    public static final Map<String, String> TABLE_PROPERTIES = Map.of("delta.dataSkippingNumIndexedCols", "5");

    static final MapType STRING_MAP = new MapType(StringType.STRING, StringType.STRING, true);

    static final StructType MLFLOW_EXPERIMENT = new StructType()
            .add("experiment_id", StringType.STRING);

    static final StructType TRACE_LOCATION = new StructType()
            .add("type", StringType.STRING)
            .add("mlflow_experiment", MLFLOW_EXPERIMENT);

    static final StructType ASSESSMENT_SOURCE = new StructType()
            .add("source_type", StringType.STRING)
            .add("source_id", StringType.STRING);

    static final StructType ASSESSMENT_ERROR = new StructType()
            .add("error_code", StringType.STRING)
            .add("error_message", StringType.STRING);

    static final StructType FEEDBACK = new StructType()
            .add("value", StringType.STRING)
            .add("error", ASSESSMENT_ERROR);

    static final StructType ASSESSMENT = new StructType()
            .add("assessment_id", StringType.STRING)
            .add("assessment_name", StringType.STRING)
            .add("trace_id", StringType.STRING)
            .add("span_id", StringType.STRING)
            .add("source", ASSESSMENT_SOURCE)
            .add("create_time", TimestampType.TIMESTAMP)
            .add("last_update_time", TimestampType.TIMESTAMP)
            .add("feedback", FEEDBACK)
            .add("rationale", StringType.STRING)
            .add("metadata", STRING_MAP);

    static final StructType SPAN_STATUS = new StructType()
            .add("code", StringType.STRING)
            .add("message", StringType.STRING);

    static final StructType SPAN_EVENT = new StructType()
            .add("name", StringType.STRING)
            .add("time_unix_nano", LongType.LONG)
            .add("attributes", STRING_MAP);

    static final StructType SPAN = new StructType()
            .add("span_id", StringType.STRING)
            .add("parent_span_id", StringType.STRING)
            .add("name", StringType.STRING)
            .add("span_type", StringType.STRING)
            .add("start_time_unix_nano", LongType.LONG)
            .add("end_time_unix_nano", LongType.LONG)
            .add("status", SPAN_STATUS)
            .add("inputs", StringType.STRING)
            .add("outputs", StringType.STRING)
            .add("attributes", STRING_MAP)
            .add("events", new ArrayType(SPAN_EVENT, true));

    public static final StructType SCHEMA = new StructType()
            .add("trace_id", StringType.STRING, false)
            .add("client_request_id", StringType.STRING)
            .add("request_time", TimestampType.TIMESTAMP)
            .add(PARTITION_COLUMN, DateType.DATE)
            .add("state", StringType.STRING)
            .add("execution_duration_ms", LongType.LONG)
            .add("request", StringType.STRING)
            .add("response", StringType.STRING)
            .add("trace_metadata", STRING_MAP)
            .add("tags", STRING_MAP)
            .add("trace_location", TRACE_LOCATION)
            .add("assessments", new ArrayType(ASSESSMENT, true))
            .add("spans", new ArrayType(SPAN, true))
            .add("input_tokens", LongType.LONG)
            .add("output_tokens", LongType.LONG)
            .add("total_tokens", LongType.LONG);

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private TraceLogsSchema() {
    }

    /** The {@code request_date} partition value: days since 1970-01-01 of the UTC date of the request time. */
    public static int requestDate(long requestTimeMillis) {
        return Math.toIntExact(Math.floorDiv(requestTimeMillis, MILLIS_PER_DAY));
    }
}
