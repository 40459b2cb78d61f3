package dev.tracemonitor.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tables that grew by many small commits (150, as a sink with a short flush interval makes them; Kernel writes a
 * checkpoint every 10 versions from its post-commit hooks) are read correctly by Spark + delta-spark: the rows of all
 * commits, the checkpoints in {@code _delta_log}, the history and an older version, for trace_logs and for the
 * trace_assessments companion table (late feedback).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkReadsManyCommitTablesIT {

    private static final int COMMITS = 150;
    private static final int ROWS_PER_COMMIT = 20;

    private SparkSession spark;
    private JsonNode summary;
    private String traceLogs;
    private String assessments;

    @BeforeAll
    void writeTablesAndStartSpark() throws Exception {
        Path repoRoot = Path.of(System.getProperty("tracemonitor.repo.root")).toAbsolutePath().normalize();
        Path buildDir = Path.of(System.getProperty("tracemonitor.build.dir", "target")).toAbsolutePath().normalize();
        Files.createDirectories(buildDir);
        Path warehouse = Files.createTempDirectory(buildDir, "many-commits-warehouse-");
        long started = System.nanoTime();
        TestMainProcess.run(repoRoot, "dev.tracemonitor.delta.ManyCommitsTableWriter",
                List.of(warehouse.toString(), Integer.toString(COMMITS), Integer.toString(ROWS_PER_COMMIT)),
                buildDir.resolve(warehouse.getFileName() + "-writer.log"), Duration.ofMinutes(5));
        System.out.printf("%d commits written in %.1f s%n", COMMITS, (System.nanoTime() - started) / 1e9);
        summary = new ObjectMapper().readTree(warehouse.resolve("many-commits.json").toFile());
        traceLogs = summary.get("trace_logs").asText();
        assessments = summary.get("trace_assessments").asText();
        spark = LocalSpark.start(buildDir, "trace-monitor-interop-many-commits");
    }

    @AfterAll
    void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void traceLogsAfter150CommitsHasEveryRowAndCheckpoints() throws IOException {
        long rows = (long) COMMITS * ROWS_PER_COMMIT;
        assertThat(summary.get("rows").asLong()).isEqualTo(rows);
        assertThat(checkpoints(traceLogs)).as("checkpoint files in _delta_log").hasSizeGreaterThanOrEqualTo(COMMITS / 10 - 1);
        assertThat(Path.of(traceLogs, "_delta_log", "_last_checkpoint")).isRegularFile();

        Row counts = spark.sql("SELECT count(*), count(DISTINCT trace_id), count_if(request_date <> to_date(request_time))"
                + " FROM delta.`" + traceLogs + "`").first();
        assertThat(counts.getLong(0)).as("rows Spark reads").isEqualTo(rows);
        assertThat(counts.getLong(1)).as("distinct trace_id").isEqualTo(rows);
        assertThat(counts.getLong(2)).as("rows in the wrong request_date partition").isZero();

        assertThat(spark.sql("DESCRIBE HISTORY delta.`" + traceLogs + "`").count()).isEqualTo(COMMITS);
        long atVersion9 = spark.read().format("delta").option("versionAsOf", 9).load(traceLogs).count();
        assertThat(atVersion9).as("rows at version 9 (time travel)").isEqualTo(10L * ROWS_PER_COMMIT);
    }

    @Test
    void traceAssessmentsAfter150CommitsHasEveryAssessmentAndTheLateFlag() throws IOException {
        long rows = (long) COMMITS * ROWS_PER_COMMIT;
        assertThat(checkpoints(assessments)).hasSizeGreaterThanOrEqualTo(COMMITS / 10 - 1);
        Row counts = spark.sql("SELECT count(*), count(DISTINCT assessment_id), count_if(late),"
                + " count_if(create_date <> to_date(create_time)), count_if(feedback.value = 'no')"
                + " FROM delta.`" + assessments + "`").first();
        assertThat(counts.getLong(0)).isEqualTo(rows);
        assertThat(counts.getLong(1)).isEqualTo(rows);
        assertThat(counts.getLong(2)).as("late assessments").isEqualTo(summary.get("late").asLong());
        assertThat(counts.getLong(3)).as("rows in the wrong create_date partition").isZero();
        assertThat(counts.getLong(4)).isPositive();
        assertThat(spark.read().format("delta").load(assessments).schema().apply("late").dataType().catalogString())
                .isEqualTo("boolean");
        // the join a reader makes: traces with their late feedback
        long joined = spark.sql("SELECT count(*) FROM delta.`" + traceLogs + "` t JOIN delta.`" + assessments
                + "` a ON a.trace_id = t.trace_id WHERE a.late").first().getLong(0);
        assertThat(joined).isEqualTo(summary.get("late").asLong());
    }

    private static List<Path> checkpoints(String table) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(table, "_delta_log"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".checkpoint.parquet")).toList();
        }
    }
}
