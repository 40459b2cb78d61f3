package dev.tracemonitor.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Delta table trace-monitor writes with Delta Kernel is readable by Apache Spark + delta-spark:
 * runs the service's quickstart in a child JVM (the two cannot share a classpath), then reads the
 * table it reports in its summary file with Spark and checks rows, schema, partitioning and the
 * sampling contract of DESIGN.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkReadsTraceLogsIT {

    /** How long the quickstart may take; -Dtracemonitor.quickstart.timeout=PT10M for a slow machine. */
    private static final Duration QUICKSTART_TIMEOUT =
            Duration.parse(System.getProperty("tracemonitor.quickstart.timeout", "PT5M"));

    /** The trace_logs columns and their Spark types (catalogString: nullability is not compared). */
    private static final Map<String, String> EXPECTED_COLUMNS = new LinkedHashMap<>();

    static {
        EXPECTED_COLUMNS.put("trace_id", "string");
        EXPECTED_COLUMNS.put("client_request_id", "string");
        EXPECTED_COLUMNS.put("request_time", "timestamp");
        EXPECTED_COLUMNS.put("request_date", "date");
        EXPECTED_COLUMNS.put("state", "string");
        EXPECTED_COLUMNS.put("execution_duration_ms", "bigint");
        EXPECTED_COLUMNS.put("request", "string");
        EXPECTED_COLUMNS.put("response", "string");
        EXPECTED_COLUMNS.put("trace_metadata", "map<string,string>");
        EXPECTED_COLUMNS.put("tags", "map<string,string>");
        EXPECTED_COLUMNS.put("trace_location",
                "struct<type:string,mlflow_experiment:struct<experiment_id:string>>");
        EXPECTED_COLUMNS.put("assessments", "array<struct<"
                + "assessment_id:string,assessment_name:string,trace_id:string,span_id:string,"
                + "source:struct<source_type:string,source_id:string>,"
                + "create_time:timestamp,last_update_time:timestamp,"
                + "feedback:struct<value:string,error:struct<error_code:string,error_message:string>>,"
                + "rationale:string,metadata:map<string,string>>>");
        EXPECTED_COLUMNS.put("spans", "array<struct<"
                + "span_id:string,parent_span_id:string,name:string,span_type:string,"
                + "start_time_unix_nano:bigint,end_time_unix_nano:bigint,"
                + "status:struct<code:string,message:string>,"
                + "inputs:string,outputs:string,attributes:map<string,string>,"
                + "events:array<struct<name:string,time_unix_nano:bigint,attributes:map<string,string>>>>>");
        EXPECTED_COLUMNS.put("input_tokens", "bigint");
        EXPECTED_COLUMNS.put("output_tokens", "bigint");
        EXPECTED_COLUMNS.put("total_tokens", "bigint");
    }

    /**
     * Judges that apply to every trace that has a response: sampled means they must have a result. A trace without
     * a response (e.g. an ERROR trace) gives them nothing to judge, and a judge that does not apply produces no
     * feedback (DESIGN.md "Judges"; the quickstart counts those as not_applicable), so it must have none.
     */
    private static final List<String> APPLY_WHEN_THERE_IS_A_RESPONSE = List.of("safety", "relevance_to_query");

    private Path warehouse;
    private JsonNode summary;
    private String tablePath;
    private SparkSession spark;
    private Dataset<Row> table;

    @BeforeAll
    void runQuickstartAndStartSpark() throws Exception {
        Path repoRoot = Path.of(requiredProperty("tracemonitor.repo.root")).toAbsolutePath().normalize();
        Path buildDir = Path.of(System.getProperty("tracemonitor.build.dir", "target")).toAbsolutePath().normalize();
        Files.createDirectories(buildDir);

        warehouse = Files.createTempDirectory(buildDir, "interop-warehouse-");
        Path summaryFile = warehouse.resolve("summary.json");
        Path log = buildDir.resolve(warehouse.getFileName() + "-quickstart.log");
        QuickstartProcess.run(QuickstartProcess.serviceJar(repoRoot), warehouse, summaryFile, log, QUICKSTART_TIMEOUT);

        summary = new ObjectMapper().readTree(summaryFile.toFile());
        System.out.println("summary.json: " + summary.toPrettyString());
        tablePath = requiredField(summary, "table_path").asText();

        long started = System.nanoTime();
        spark = LocalSpark.start(buildDir, "trace-monitor-interop");
        table = spark.read().format("delta").load(tablePath);
        System.out.printf("Spark session and Delta table load took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void summaryDescribesTheDemoMonitorAndItsTable() {
        JsonNode monitor = requiredField(summary, "monitor");
        assertThat(requiredField(monitor, "experiment_id").asText()).isEqualTo("42");
        assertThat(requiredField(monitor, "catalog_name").asText()).isEqualTo("main");
        assertThat(requiredField(monitor, "schema_name").asText()).isEqualTo("monitoring");
        JsonNode config = requiredField(monitor, "assessments_config");
        assertThat(requiredField(config, "sample").asDouble()).isEqualTo(0.5);
        assertThat(judgeRates()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "safety", 0.5, "relevance_to_query", 0.5, "groundedness", 0.5, "chunk_relevance", 0.2));

        // DESIGN.md: <warehouse>/<catalog_name>/<schema_name>/trace_logs_<experiment_id>
        Path table = Path.of(tablePath);
        assertThat(table).isAbsolute().isDirectory();
        assertThat(table.resolve("_delta_log")).isDirectory();
        assertThat(table.normalize())
                .isEqualTo(warehouse.toAbsolutePath().resolve("main").resolve("monitoring").resolve("trace_logs_42").normalize());
    }

    @Test
    void sparkCountsTheRowsKernelCounted() {
        long count = table.count();
        System.out.printf("rows: spark=%d, summary: rows=%s well_formed=%s malformed=%s dlq=%s traces_produced=%s files=%s%n",
                count, summary.get("rows"), summary.get("well_formed"), summary.get("malformed"),
                summary.get("dlq"), summary.get("traces_produced"), summary.get("files"));
        assertThat(count).as("rows Spark reads").isPositive();
        assertThat(count).as("rows Spark reads vs summary well_formed").isEqualTo(requiredField(summary, "well_formed").asLong());
        assertThat(count).as("rows Spark reads vs summary rows (Kernel's count)").isEqualTo(requiredField(summary, "rows").asLong());
        assertThat(table.select("trace_id").distinct().count()).as("distinct trace_id").isEqualTo(count);
    }

    @Test
    void everyColumnOfEveryRowDecodes() {
        // count() may be answered from the Delta log's statistics alone; this reads every Parquet column.
        Row row = table.selectExpr(
                        "count(*) AS n",
                        "sum(length(to_json(struct(*)))) AS json_chars",
                        "count_if(trace_id IS NULL) AS null_ids",
                        "count_if(request_time IS NULL) AS null_times",
                        "count_if(request_date <> to_date(request_time)) AS misplaced")
                .first();
        System.out.printf("full read: %d rows, %s characters as JSON%n", row.getLong(0), row.get(1));
        assertThat(row.getLong(row.fieldIndex("null_ids"))).as("rows without trace_id").isZero();
        assertThat(row.getLong(row.fieldIndex("null_times"))).as("rows without request_time").isZero();
        assertThat(row.getLong(row.fieldIndex("misplaced")))
                .as("rows whose request_date partition is not the UTC date of request_time").isZero();
    }

    @Test
    void schemaIsTheTraceLogsSchema() {
        Map<String, String> actual = new LinkedHashMap<>();
        for (StructField field : table.schema().fields()) {
            actual.put(field.name(), field.dataType().catalogString());
        }
        System.out.println("columns, in table order: " + actual.keySet());
        List<String> differences = new ArrayList<>();
        EXPECTED_COLUMNS.forEach((name, type) -> {
            if (!actual.containsKey(name)) {
                differences.add(name + ": missing, expected " + type);
            } else if (!actual.get(name).equals(type)) {
                differences.add(name + ": expected " + type + "\n   but is  " + actual.get(name));
            }
        });
        actual.keySet().stream().filter(name -> !EXPECTED_COLUMNS.containsKey(name))
                .forEach(name -> differences.add(name + ": unexpected column of type " + actual.get(name)));
        assertThat(differences).as("columns that differ from the trace_logs schema").isEmpty();

        Row detail = spark.sql("DESCRIBE DETAIL delta.`" + tablePath + "`").first();
        System.out.println("DESCRIBE DETAIL: " + describe(detail));
        assertThat(detail.<String>getList(detail.fieldIndex("partitionColumns"))).containsExactly("request_date");
    }

    @Test
    void sampledTracesCarryTheirAssessments() {
        Map<String, Double> rates = judgeRates();
        double widest = widestRate();

        List<Row> rows = table.selectExpr(
                        "trace_id",
                        "transform(assessments, a -> a.assessment_name) AS names",
                        "exists(spans, s -> s.span_type = 'RETRIEVER') AS has_retriever",
                        "forall(assessments, a -> a.trace_id = trace_id) AS assessments_name_their_trace",
                        "response IS NOT NULL AND trim(response) <> '' AS has_response")
                .collectAsList();

        List<String> violations = new ArrayList<>();
        int sampled = 0;
        int sampledWithoutResponse = 0;
        int withRetriever = 0;
        int chunkChecked = 0;
        for (Row row : rows) {
            String traceId = row.getString(0);
            List<String> names = row.isNullAt(1) ? List.of() : row.<String>getList(1);
            boolean hasRetriever = !row.isNullAt(2) && row.getBoolean(2);
            boolean ownTrace = row.isNullAt(3) || row.getBoolean(3);
            boolean hasResponse = row.getBoolean(4);
            String where = traceId + " (u=" + SamplingRule.u(traceId) + ", assessments=" + names
                    + ", retriever=" + hasRetriever + ", response=" + hasResponse + ")";
            if (hasRetriever) {
                withRetriever++;
            }
            if (!ownTrace) {
                violations.add(where + ": an assessment names another trace_id");
            }
            if (!SamplingRule.sampled(traceId, widest)) {
                if (!names.isEmpty()) {
                    violations.add(where + ": not sampled by any judge but has assessments");
                }
                continue;
            }
            sampled++;
            if (!hasResponse) {
                sampledWithoutResponse++;
            }
            for (Map.Entry<String, Double> judge : rates.entrySet()) {
                String name = judge.getKey();
                boolean runs = SamplingRule.sampled(traceId, judge.getValue());
                boolean present = names.stream().anyMatch(n -> n.startsWith(name)); // e.g. chunk_relevance/precision
                if (!runs && present) {
                    violations.add(where + ": " + name + " (rate " + judge.getValue() + ") did not sample it but has a result");
                }
                if (runs && hasResponse && APPLY_WHEN_THERE_IS_A_RESPONSE.contains(name) && !present) {
                    violations.add(where + ": " + name + " sampled it but has no result");
                }
                if (!hasResponse && APPLY_WHEN_THERE_IS_A_RESPONSE.contains(name) && present) {
                    violations.add(where + ": " + name + " has a result for a trace without a response");
                }
                if (runs && name.equals("chunk_relevance") && hasRetriever) {
                    chunkChecked++;
                    if (!names.contains("chunk_relevance/precision")) {
                        violations.add(where + ": chunk_relevance sampled a trace with a retriever span but there is no chunk_relevance/precision");
                    }
                }
            }
        }
        System.out.printf("sampling: %d rows, %d sampled (u < %s) of which %d have no response, %d with a RETRIEVER span,"
                        + " %d checked for chunk_relevance/precision%n",
                rows.size(), sampled, widest, sampledWithoutResponse, withRetriever, chunkChecked);
        assertThat(violations).as("sampling violations (%d of %d rows)", violations.size(), rows.size()).isEmpty();
        assertThat(sampled - sampledWithoutResponse).as("rows with a response sampled by the monitor").isPositive();
        assertThat(withRetriever).as("rows with a RETRIEVER span (the demo has RAG traces)").isPositive();
    }

    @Test
    void sqlAggregatesAssessmentsByJudgeAndValue() {
        List<Row> rows = spark.sql(
                        "SELECT a.assessment_name AS judge, a.feedback.value AS value, count(*) AS n "
                                + "FROM delta.`" + tablePath + "` "
                                + "LATERAL VIEW explode(assessments) exploded AS a "
                                + "GROUP BY a.assessment_name, a.feedback.value "
                                + "ORDER BY judge, value")
                .collectAsList();
        Map<String, Long> perJudge = new TreeMap<>();
        long total = 0;
        for (Row row : rows) {
            System.out.printf("  %-28s %-10s %d%n", row.getString(0), row.isNullAt(1) ? "null" : row.getString(1), row.getLong(2));
            perJudge.merge(row.getString(0), row.getLong(2), Long::sum);
            total += row.getLong(2);
        }
        assertThat(rows).isNotEmpty();
        assertThat(perJudge).containsKeys("safety", "relevance_to_query");
        long assessments = spark.sql("SELECT coalesce(sum(size(assessments)), 0) FROM delta.`" + tablePath
                        + "` WHERE assessments IS NOT NULL")
                .first().getLong(0);
        assertThat(total).as("assessments counted through LATERAL VIEW explode").isEqualTo(assessments);
    }

    /** Each builtin judge of the monitor with its effective rate: its own sample_rate, else the monitor's sample. */
    private Map<String, Double> judgeRates() {
        JsonNode config = requiredField(requiredField(summary, "monitor"), "assessments_config");
        double sample = requiredField(config, "sample").asDouble();
        Map<String, Double> rates = new LinkedHashMap<>();
        for (JsonNode judge : requiredField(config, "assessments")) {
            if (judge.hasNonNull("name")) {
                rates.put(judge.get("name").asText(),
                        judge.hasNonNull("sample_rate") ? judge.get("sample_rate").asDouble() : sample);
            }
        }
        return rates;
    }

    /** The largest rate of any judge (builtin or guidelines): a trace with u at or above it has no assessments. */
    private double widestRate() {
        JsonNode config = requiredField(requiredField(summary, "monitor"), "assessments_config");
        double sample = requiredField(config, "sample").asDouble();
        double widest = 0;
        for (JsonNode judge : requiredField(config, "assessments")) {
            widest = Math.max(widest, judge.hasNonNull("sample_rate") ? judge.get("sample_rate").asDouble() : sample);
        }
        return widest;
    }

    private static String describe(Row detail) {
        StringBuilder out = new StringBuilder();
        for (String column : List.of("format", "partitionColumns", "numFiles", "sizeInBytes",
                "minReaderVersion", "minWriterVersion", "tableFeatures", "properties")) {
            int i = List.of(detail.schema().fieldNames()).indexOf(column);
            if (i >= 0) {
                out.append(column).append('=').append(detail.get(i)).append(' ');
            }
        }
        return out.toString().trim();
    }

    private static JsonNode requiredField(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new AssertionError("summary.json has no \"" + field + "\" in " + node);
        }
        return value;
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new AssertionError("system property " + name + " is not set (the module's pom sets it)");
        }
        return value;
    }
}
