package dev.tracemonitor.web;

import static dev.tracemonitor.testing.AssessmentTables.commit;
import static dev.tracemonitor.testing.AssessmentTables.verdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.delta.TraceAssessmentsTable;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page's reads of a real trace_assessments table: only the range's partitions, and a cache per table version. */
class MonitorTablesTest {

    private static final TableAddress MONITOR = new TableAddress("main", "s", "7");
    private static final long DAY_1 = Instant.parse("2026-01-01T10:00:00Z").toEpochMilli();
    private static final long DAY_3 = Instant.parse("2026-01-03T10:00:00Z").toEpochMilli();
    private static final long DAY_MILLIS = 86_400_000L;

    @TempDir
    Path warehouse;

    @Test
    void aRangeReadsOnlyItsDatePartitionsAndIsCachedUntilTheTableHasANewVersion() throws Exception {
        Configuration conf = new Configuration();
        String path = SinkTableKind.TRACE_ASSESSMENTS.path(MONITOR, warehouse.toString());
        TraceAssessmentsTable table = new TraceAssessmentsTable(DefaultEngine.create(conf), path);
        commit(table, 1, verdict("t1", "safety", "no", DAY_1), verdict("t2", "safety", "yes", DAY_1 + 1));
        commit(table, 2, verdict("t3", "safety", "yes", DAY_3));
        MonitorTables tables = new MonitorTables(warehouse.toString(), conf);

        assertThat(tables.monitors()).containsExactly(MONITOR);
        assertThat(tables.assessments(MONITOR, DAY_1 - 1000, DAY_3 + 1000)).extracting(AssessmentView::traceId)
                .containsExactly("t1", "t2", "t3");
        long reads = tables.dataReads();
        assertThat(tables.assessments(MONITOR, DAY_1 - 1000, DAY_3 + 1000)).hasSize(3);
        assertThat(tables.dataReads()).as("same range, same version: from the cache").isEqualTo(reads);

        // the first day's data file gone: a range of the third day alone does not open it, one that includes it does
        try (Stream<Path> files = Files.list(Path.of(path, TraceAssessmentsSchema.PARTITION_COLUMN + "=2026-01-01"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                Files.delete(file);
            }
        }
        assertThat(tables.assessments(MONITOR, DAY_3 - DAY_MILLIS / 4, DAY_3 + 1000)).extracting(AssessmentView::traceId)
                .containsExactly("t3");
        commit(table, 3, verdict("t4", "safety", "no", DAY_3 + 1));
        assertThatThrownBy(() -> tables.assessments(MONITOR, DAY_1 - 1000, DAY_3 + 1000))
                .as("a new version is read again, the first day's partition with it");

        reads = tables.dataReads();
        List<AssessmentView> third = tables.assessments(MONITOR, DAY_3 - DAY_MILLIS / 4, DAY_3 + 1000);
        assertThat(third).extracting(AssessmentView::traceId).containsExactly("t3", "t4");
        assertThat(third.get(1).passed()).isFalse();
        assertThat(tables.dataReads()).isEqualTo(reads + 1);
    }
}
