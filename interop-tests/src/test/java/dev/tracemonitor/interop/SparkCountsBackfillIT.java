package dev.tracemonitor.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue #17 done-when 1, counted with Spark: on a real broker with the fake OpenAI endpoint, the service writes traces,
 * a backfill with a judge the monitor did not have publishes one Assessment per sampled (trace, judge) pair of the
 * range, and a second identical run adds none to the trace_assessments table. streams-app's test-scope
 * {@code dev.tracemonitor.backfill.BackfillTableWriter} does all that in a child JVM and records the table's version
 * after the first run's rows were committed, and the version after a later trace's assessment was committed behind
 * anything the repeat published; Spark reads both versions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkCountsBackfillIT {

    private SparkSession spark;
    private Properties facts;
    private String table;
    private String judge;
    private List<String> expected;

    @BeforeAll
    void runTheBackfillsAndStartSpark() throws Exception {
        Path repoRoot = Path.of(System.getProperty("tracemonitor.repo.root", "..")).toAbsolutePath().normalize();
        Path buildDir = Path.of(System.getProperty("tracemonitor.build.dir", "target")).toAbsolutePath().normalize();
        Files.createDirectories(buildDir);
        Path work = Files.createTempDirectory(buildDir, "backfill-");
        TestMainProcess.run(repoRoot, "dev.tracemonitor.backfill.BackfillTableWriter", List.of(work.toString()),
                buildDir.resolve(work.getFileName() + "-writer.log"), Duration.ofMinutes(3));
        facts = new Properties();
        try (Reader reader = Files.newBufferedReader(work.resolve("backfill.properties"))) {
            facts.load(reader);
        }
        table = facts.getProperty("table");
        judge = facts.getProperty("judge");
        expected = Arrays.asList(facts.getProperty("expected").split(","));
        assertThat(expected).as("sampled pairs in the range").hasSizeGreaterThan(6);
        spark = LocalSpark.start(buildDir, "trace-monitor-backfill-counts");
    }

    @AfterAll
    void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void theFirstRunGivesOneAssessmentPerSampledPairAndTheIdenticalSecondRunAddsNone() {
        long recordedVersion = Long.parseLong(facts.getProperty("recordedVersion"));
        long finalVersion = Long.parseLong(facts.getProperty("finalVersion"));

        Dataset<Row> afterFirst = newJudgeRows(spark.read().format("delta")
                .option("versionAsOf", recordedVersion).load(table));
        assertThat(afterFirst.count()).as("rows of %s after the first run", judge).isEqualTo(expected.size());
        assertThat(traceIds(afterFirst)).as("one per sampled trace").containsExactlyInAnyOrderElementsOf(expected);

        Dataset<Row> latestTable = spark.read().format("delta").load(table);
        Dataset<Row> latest = newJudgeRows(latestTable);
        assertThat(latest.count()).as("rows of %s after the identical second run", judge).isEqualTo(expected.size());
        assertThat(traceIds(latest)).containsExactlyInAnyOrderElementsOf(expected);

        // not vacuous: the table moved on after the repeat, and what moved it was committed behind the repeat
        long latestVersion = spark.sql("DESCRIBE HISTORY delta.`" + table + "`").selectExpr("max(version)")
                .first().getLong(0);
        assertThat(latestVersion).as("the latest version, as the writer saw it").isEqualTo(finalVersion)
                .isGreaterThan(recordedVersion);
        assertThat(latestTable.where(latestTable.col("trace_id").equalTo(facts.getProperty("sentinel"))).count())
                .as("the later trace's safety assessment").isEqualTo(1);
        long rowsAtRecorded = spark.read().format("delta").option("versionAsOf", recordedVersion).load(table).count();
        assertThat(latestTable.count()).as("all rows: only the later trace's assessment was added")
                .isEqualTo(rowsAtRecorded + 1);

        assertThat(facts.getProperty("first.judged")).isEqualTo(Integer.toString(expected.size()));
        assertThat(facts.getProperty("repeat.plannedPairs")).as("the repeat judged nothing").isEqualTo("0");
        assertThat(facts.getProperty("repeat.alreadyJudged")).isEqualTo(Integer.toString(expected.size()));
    }

    private Dataset<Row> newJudgeRows(Dataset<Row> rows) {
        return rows.where(rows.col("assessment_name").equalTo(judge));
    }

    private static List<String> traceIds(Dataset<Row> rows) {
        return rows.select("trace_id").collectAsList().stream().map(row -> row.getString(0)).toList();
    }
}
