package dev.tracemonitor.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Traces written by other projects' code, one of each family of the corpus in
 * {@code streams-app/src/test/resources/real-traces} (origins in its SOURCES.md, contents in EXPECTED.md), go through
 * the whole service on a real broker ({@code quickstart --trace-file}, every judge sampled) and Spark reads their rows:
 * the request and response a person would read, the duration, the token counts, and verdicts of the judges that have
 * text to judge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkReadsRealTracesIT {

    private static final Duration QUICKSTART_TIMEOUT =
            Duration.parse(System.getProperty("tracemonitor.quickstart.timeout", "PT5M"));

    /** Judges that apply to any trace with a request and a response. */
    private static final List<String> TEXT_JUDGES = List.of("safety", "relevance_to_query");

    /**
     * The trace id and experiment id this test writes where the Databricks blog's author wrote {@code "<redacted>"}:
     * an endpoint returns real ids, and no monitor can name the experiment {@code "<redacted>"} (experiment ids become
     * table paths, so they are restricted to safe characters).
     */
    private static final String DATABRICKS_TRACE_ID = "tr-databricks-blog-predict-ok";
    private static final String DATABRICKS_EXPERIMENT_ID = "databricks-blog";

    /** What a fixture's row must hold; values from EXPECTED.md. Null tokens: the source carries none. */
    record Expected(String file, String family, String traceId, String request, String response, long durationMs,
                    Long inputTokens, Long outputTokens, Long totalTokens, int spans) {

        boolean idsRedacted() {
            return file.startsWith("databricks-blog/");
        }

        @Override
        public String toString() {
            return family + " (" + file + ")";
        }
    }

    static List<Expected> fixtures() {
        return List.of(
                new Expected("mlflow/mlflow3-3.4-trace-to-dict.json", "MLflow 3 Trace.to_dict()",
                        "tr-ee17184669c265ffdcf9299b36f6dccc", "abc", "def", 60, null, null, null, 1),
                new Expected("mlflow/rest-v3-trace-with-assessment.json", "MLflow REST TraceInfoV3 (proto JSON)",
                        "tr-test-v3", "document-qa-chain-input", "document-qa-chain-output", 32583, 100L, 200L,
                        300L, 3),
                new Expected("mlflow/rest-v3-openinference-otel-trace.json", "OpenInference spans stored by MLflow",
                        "tr-b4b75f11c8c04dd7fddae56c28c6ccfd", "Now multiply that result by 3",
                        "Multiplying 25 by 3 gives you 75.", 1554, null, null, null, 2),
                new Expected("mlflow/mlflow2-weather-trace-dict.json", "MLflow 2 Trace.to_dict()", "test-trace-123",
                        "What is the weather today?", "I'll help you with the weather information.", 20, null, null,
                        null, 1),
                new Expected("mlflow/ui-v2-trace.json", "MLflow UI mock of an MLflow 2 trace (raw attributes)", "1",
                        "document-qa-chain-input", "document-qa-chain-output", 1000000000L, null, null, null, 3),
                new Expected("otel-semconv/mlflow-trace-of-simple-chat-span.json",
                        "OpenTelemetry GenAI span stored by MLflow", "tr-4bf92f3577b34da6a3ce929d0e0e4736",
                        "Tell me a joke about OpenTelemetry", " Why did the developer bring OpenTelemetry to the party?"
                        + " Because it always knows how to trace the fun!", 1500, 52L, 47L, 99L, 1),
                new Expected("databricks-blog/agent-endpoint-response-predict-ok.json",
                        "Databricks agent serving endpoint response (ResponsesAgent)", DATABRICKS_TRACE_ID,
                        "What is a good apple pie recipe to use on Thanksgiving", "Absolutely! Here\u2019s a classic,"
                        + " crowd-pleasing **Apple Pie Recipe** perfect for Thanksgiving. It features a flaky crust"
                        + " and ... ", 5098, 27L, 641L, 668L, 2));
    }

    private Path repoRoot;
    private JsonNode summary;
    private SparkSession spark;
    private Map<String, Row> rowsByTraceId;

    @BeforeAll
    void runTheFixturesThroughTheServiceAndReadTheTablesWithSpark() throws Exception {
        repoRoot = Path.of(System.getProperty("tracemonitor.repo.root", "..")).toAbsolutePath().normalize();
        Path buildDir = Path.of(System.getProperty("tracemonitor.build.dir", "target")).toAbsolutePath().normalize();
        Files.createDirectories(buildDir);
        Path warehouse = Files.createTempDirectory(buildDir, "real-traces-warehouse-");
        Path summaryFile = warehouse.resolve("summary.json");

        List<String> options = new ArrayList<>(List.of("--sample", "1", "--flush-interval", "PT2S"));
        for (Expected fixture : fixtures()) {
            Path file = corpus().resolve(fixture.file());
            assertThat(file).as("fixture").isRegularFile();
            if (fixture.idsRedacted()) {
                file = withRedactedIdsFilledIn(file, warehouse);
            }
            options.addAll(List.of("--trace-file", file.toString()));
        }
        QuickstartProcess.run(QuickstartProcess.serviceJar(repoRoot), warehouse, summaryFile,
                buildDir.resolve(warehouse.getFileName() + "-quickstart.log"), QUICKSTART_TIMEOUT,
                options.toArray(String[]::new));
        summary = new ObjectMapper().readTree(summaryFile.toFile());
        System.out.println("summary.json: " + summary.toPrettyString());
        spark = LocalSpark.start(buildDir, "trace-monitor-real-traces");
        rowsByTraceId = new LinkedHashMap<>();
        for (JsonNode table : summary.get("tables")) {
            Dataset<Row> rows = spark.read().format("delta").load(table.get("path").asText()).selectExpr(
                    "trace_id", "request", "response", "execution_duration_ms",
                    "input_tokens", "output_tokens", "total_tokens", "size(spans) AS span_count",
                    "transform(filter(assessments, a -> a.source.source_id LIKE 'trace-monitor%'),"
                            + " a -> struct(a.assessment_name AS name, a.feedback.value AS value,"
                            + " a.feedback.error.error_code AS error)) AS verdicts");
            for (Row row : rows.collectAsList()) {
                rowsByTraceId.put(row.getString(0), row);
            }
        }
        System.out.println("rows read by Spark: " + rowsByTraceId.keySet());
    }

    @AfterAll
    void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void sparkReadsTheTextDurationAndTokensTheSourceCarries(Expected fixture) {
        Row row = rowsByTraceId.get(fixture.traceId());
        assertThat(row).as("row of %s in %s", fixture.traceId(), rowsByTraceId.keySet()).isNotNull();
        assertThat(row.getString(row.fieldIndex("request"))).isEqualTo(fixture.request());
        assertThat(row.getString(row.fieldIndex("response"))).isEqualTo(fixture.response());
        assertThat(nullableLong(row, "execution_duration_ms")).isEqualTo(fixture.durationMs());
        assertThat(row.getInt(row.fieldIndex("span_count"))).isEqualTo(fixture.spans());
        assertThat(nullableLong(row, "input_tokens")).isEqualTo(fixture.inputTokens());
        assertThat(nullableLong(row, "output_tokens")).isEqualTo(fixture.outputTokens());
        assertThat(nullableLong(row, "total_tokens")).isEqualTo(fixture.totalTokens());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void judgesWithTextToJudgeGaveAVerdict(Expected fixture) {
        Row row = rowsByTraceId.get(fixture.traceId());
        assertThat(row).as("row of %s", fixture.traceId()).isNotNull();
        Map<String, String> verdicts = new LinkedHashMap<>();
        for (Row verdict : row.<Row>getList(row.fieldIndex("verdicts"))) {
            verdicts.put(verdict.getString(0), verdict.isNullAt(1) ? "error " + verdict.getString(2) : verdict.getString(1));
        }
        System.out.println(fixture + ": " + verdicts);
        for (String judge : TEXT_JUDGES) {
            assertThat(verdicts).as("verdicts of %s", fixture).containsKey(judge);
            assertThat(verdicts.get(judge)).as("%s on %s", judge, fixture).isIn("yes", "no");
        }
    }

    /** A copy of the endpoint response whose trace's redacted trace and experiment ids are filled in. */
    private static Path withRedactedIdsFilledIn(Path file, Path dir) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode response = mapper.readTree(file.toFile());
        JsonNode trace = response.path("databricks_output").path("trace");
        ObjectNode info = (ObjectNode) trace.path("info");
        info.put("trace_id", DATABRICKS_TRACE_ID);
        ((ObjectNode) info.path("trace_location").path("mlflow_experiment"))
                .put("experiment_id", DATABRICKS_EXPERIMENT_ID);
        for (JsonNode span : trace.path("data").path("spans")) {
            ((ObjectNode) span).put("trace_id", DATABRICKS_TRACE_ID);
        }
        Path copy = dir.resolve(file.getFileName());
        mapper.writeValue(copy.toFile(), response);
        return copy;
    }

    private Path corpus() {
        return repoRoot.resolve("streams-app/src/test/resources/real-traces");
    }

    private static Long nullableLong(Row row, String column) {
        int i = row.fieldIndex(column);
        return row.isNullAt(i) ? null : row.getLong(i);
    }
}
