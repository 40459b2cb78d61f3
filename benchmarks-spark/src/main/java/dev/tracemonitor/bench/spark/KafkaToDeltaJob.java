package dev.tracemonitor.bench.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.to_date;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataType;

/**
 * The Spark side of the benchmark scenario {@code spark-vs-service}: the Structured Streaming query a Databricks user
 * would write instead of the service's copy half — Kafka source, {@code from_json} of MLflow's trace JSON into the
 * {@code trace_logs} columns (partitioned by {@code request_date}), Delta sink, {@code Trigger.AvailableNow}, on
 * {@code local[2]}. It reads the topic from the earliest offset, writes one table and exits when the batch is
 * committed. Arguments: bootstrap servers, topic, table path, checkpoint path.
 */
public final class KafkaToDeltaJob {

    /** MLflow 3's {@code Trace.to_json()}, the fields the {@code trace_logs} columns are made of. */
    static final String TRACE_SCHEMA = "info STRUCT<trace_id: STRING, client_request_id: STRING,"
            + " trace_location: STRUCT<type: STRING, mlflow_experiment: STRUCT<experiment_id: STRING>>,"
            + " request_time: TIMESTAMP, execution_duration: STRING, state: STRING, request_preview: STRING,"
            + " response_preview: STRING, trace_metadata: MAP<STRING, STRING>, tags: MAP<STRING, STRING>,"
            + " assessments: ARRAY<STRUCT<assessment_id: STRING, assessment_name: STRING, trace_id: STRING,"
            + " span_id: STRING, source: STRUCT<source_type: STRING, source_id: STRING>, create_time: TIMESTAMP,"
            + " last_update_time: TIMESTAMP, feedback: STRUCT<value: STRING, error: STRUCT<error_code: STRING,"
            + " error_message: STRING>>, rationale: STRING, metadata: MAP<STRING, STRING>>>>,"
            + " data STRUCT<spans: ARRAY<STRUCT<span_id: STRING, parent_span_id: STRING, name: STRING,"
            + " start_time_unix_nano: BIGINT, end_time_unix_nano: BIGINT, status: STRUCT<code: STRING, message: STRING>,"
            + " attributes: MAP<STRING, STRING>, events: ARRAY<STRUCT<name: STRING, time_unix_nano: BIGINT,"
            + " attributes: MAP<STRING, STRING>>>>>>";

    private static final String TOKENS = "t.info.trace_metadata['mlflow.trace.tokenUsage']";

    private KafkaToDeltaJob() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: KafkaToDeltaJob <bootstrap servers> <topic> <table> <checkpoint>");
        }
        SparkSession spark = SparkSession.builder()
                .appName("kafka-to-delta")
                .master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.warehouse.dir", Path.of(args[3]).resolveSibling("spark-warehouse").toUri().toString())
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .getOrCreate();
        Dataset<Row> traces = spark.readStream()
                .format("kafka")
                .option("kafka.bootstrap.servers", args[0])
                .option("subscribe", args[1])
                .option("startingOffsets", "earliest")
                .load()
                .select(from_json(col("value").cast("string"), DataType.fromDDL(TRACE_SCHEMA)).as("t"))
                .select(
                        col("t.info.trace_id").as("trace_id"),
                        col("t.info.client_request_id").as("client_request_id"),
                        col("t.info.request_time").as("request_time"),
                        to_date(col("t.info.request_time")).as("request_date"),
                        col("t.info.state").as("state"),
                        expr("CAST(CAST(rtrim('s', t.info.execution_duration) AS DOUBLE) * 1000 AS BIGINT)")
                                .as("execution_duration_ms"),
                        col("t.info.request_preview").as("request"),
                        col("t.info.response_preview").as("response"),
                        col("t.info.trace_metadata").as("trace_metadata"),
                        col("t.info.tags").as("tags"),
                        col("t.info.trace_location").as("trace_location"),
                        col("t.info.assessments").as("assessments"),
                        expr("transform(t.data.spans, s -> named_struct('span_id', s.span_id, 'parent_span_id',"
                                + " s.parent_span_id, 'name', s.name, 'span_type', s.attributes['mlflow.spanType'],"
                                + " 'start_time_unix_nano', s.start_time_unix_nano, 'end_time_unix_nano',"
                                + " s.end_time_unix_nano, 'status', s.status, 'inputs', s.attributes['mlflow.spanInputs'],"
                                + " 'outputs', s.attributes['mlflow.spanOutputs'], 'attributes', map_filter(s.attributes,"
                                + " (k, v) -> k NOT IN ('mlflow.spanType', 'mlflow.spanInputs', 'mlflow.spanOutputs')),"
                                + " 'events', s.events))").as("spans"),
                        expr("CAST(get_json_object(" + TOKENS + ", '$.input_tokens') AS BIGINT)").as("input_tokens"),
                        expr("CAST(get_json_object(" + TOKENS + ", '$.output_tokens') AS BIGINT)").as("output_tokens"),
                        expr("CAST(get_json_object(" + TOKENS + ", '$.total_tokens') AS BIGINT)").as("total_tokens"));
        traces.writeStream()
                .format("delta")
                .option("checkpointLocation", args[3])
                .partitionBy("request_date")
                .trigger(Trigger.AvailableNow())
                .start(args[2])
                .awaitTermination();
        spark.stop();
    }
}
