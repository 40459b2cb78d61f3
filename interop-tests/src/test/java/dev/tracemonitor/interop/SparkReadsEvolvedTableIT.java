package dev.tracemonitor.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A trace_logs table written before the token columns existed, then by the current writer (which adds them by schema
 * evolution): Spark reads the latest version with the columns, null for the old row, and time-travels to the first
 * version, which has neither the columns nor the new row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkReadsEvolvedTableIT {

    private static final List<String> TOKEN_COLUMNS = List.of("input_tokens", "output_tokens", "total_tokens");

    private SparkSession spark;
    private String tablePath;

    @BeforeAll
    void writeTheTableAndStartSpark() throws Exception {
        Path repoRoot = Path.of(System.getProperty("tracemonitor.repo.root", "..")).toAbsolutePath().normalize();
        Path buildDir = Path.of(System.getProperty("tracemonitor.build.dir", "target")).toAbsolutePath().normalize();
        Files.createDirectories(buildDir);
        Path warehouse = Files.createTempDirectory(buildDir, "evolved-warehouse-");
        tablePath = warehouse.resolve("main/default/trace_logs_7").toString();
        TestMainProcess.run(repoRoot, "dev.tracemonitor.delta.EvolvedTableWriter", List.of(tablePath),
                buildDir.resolve(warehouse.getFileName() + "-writer.log"), Duration.ofMinutes(3));
        spark = LocalSpark.start(buildDir, "trace-monitor-evolved-table");
    }

    @AfterAll
    void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void theLatestVersionHasTheTokenColumnsNullForTheRowWrittenBeforeThem() {
        Dataset<Row> latest = spark.read().format("delta").load(tablePath);

        assertThat(List.of(latest.schema().fieldNames())).containsSubsequence(TOKEN_COLUMNS);
        Map<String, List<Object>> tokens = new LinkedHashMap<>();
        for (Row row : latest.selectExpr("trace_id", "input_tokens", "output_tokens", "total_tokens", "request")
                .orderBy("trace_id").collectAsList()) {
            tokens.put(row.getString(0), java.util.Arrays.asList(row.get(1), row.get(2), row.get(3), row.get(4)));
        }
        assertThat(tokens).containsOnlyKeys("t-new", "t-old");
        assertThat(tokens.get("t-old")).containsExactly(null, null, null, "question of t-old");
        assertThat(tokens.get("t-new")).containsExactly(20L, 5L, 25L, "question of t-new");
    }

    @Test
    void theFirstVersionIsReadWithItsOwnSchema() {
        Dataset<Row> first = spark.read().format("delta").option("versionAsOf", 0).load(tablePath);

        assertThat(List.of(first.schema().fieldNames())).doesNotContainAnyElementsOf(TOKEN_COLUMNS)
                .contains("trace_id", "request", "spans");
        assertThat(first.selectExpr("trace_id").collectAsList()).extracting(row -> row.getString(0))
                .containsExactly("t-old");
        long versions = spark.sql("DESCRIBE HISTORY delta.`" + tablePath + "`").count();
        assertThat(versions).as("first data, the schema change, the second data").isEqualTo(3);
    }
}
