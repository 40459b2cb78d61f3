package dev.tracemonitor.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.delta.AssessmentRow;
import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.delta.TraceAssessmentsTable;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        commit(table, 1, assessment("t1", "no", DAY_1), assessment("t2", "yes", DAY_1 + 1));
        commit(table, 2, assessment("t3", "yes", DAY_3));
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
        commit(table, 3, assessment("t4", "no", DAY_3 + 1));
        assertThatThrownBy(() -> tables.assessments(MONITOR, DAY_1 - 1000, DAY_3 + 1000))
                .as("a new version is read again, the first day's partition with it");

        reads = tables.dataReads();
        List<AssessmentView> third = tables.assessments(MONITOR, DAY_3 - DAY_MILLIS / 4, DAY_3 + 1000);
        assertThat(third).extracting(AssessmentView::traceId).containsExactly("t3", "t4");
        assertThat(third.get(1).passed()).isFalse();
        assertThat(tables.dataReads()).isEqualTo(reads + 1);
    }

    private static void commit(TraceAssessmentsTable table, long version, Assessment... assessments) throws Exception {
        int date = TraceAssessmentsSchema.createDate(assessments[0].createTimeMillis());
        List<DataFile> files = table.write(date, Stream.of(assessments).map(a -> new AssessmentRow(a, false)).toList());
        table.commit(files, Map.of("test-0", version));
    }

    private static Assessment assessment(String traceId, String value, long created) {
        return new Assessment(Assessment.deterministicId(traceId, "safety", null), "safety", traceId, null,
                new AssessmentSource(AssessmentSource.CODE, "test"), created, created, Feedback.of(value),
                "because " + value, null);
    }
}
