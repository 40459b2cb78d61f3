package dev.tracemonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.SinkTestLogging;
import dev.tracemonitor.delta.TraceLogsSchema;
import dev.tracemonitor.delta.TraceLogsTable;
import dev.tracemonitor.testing.TestTraces;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarehouseTest {

    private static final Instant NOW = TestTraces.NEW_YEAR;
    private static final String TRACE_LOGS_PREFIX = SinkTableKind.TRACE_LOGS.tablePrefix();

    @TempDir
    Path root;

    private final Engine engine = DefaultEngine.create(new Configuration());

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @Test
    void findsTheTraceLogsTablesTwoLevelsBelowTheRoot() throws IOException {
        Files.createDirectories(root.resolve("main/default/trace_logs_1234"));
        Files.createDirectories(root.resolve("main/default/not_a_trace_table"));
        Files.createDirectories(root.resolve("ml/monitoring/trace_logs_exp-7"));
        Files.createDirectories(root.resolve("trace_logs_at_the_wrong_level"));

        List<TableAddress> tables = new Warehouse(root.toString(), new Configuration(), TRACE_LOGS_PREFIX).tables();

        assertThat(tables).containsExactlyInAnyOrder(
                new TableAddress("main", "default", "1234"), new TableAddress("ml", "monitoring", "exp-7"));
    }

    @Test
    void deletesOnlyOldUncommittedKernelDataFiles() throws IOException {
        TraceLogsTable table = new TraceLogsTable(engine, root.resolve("main/default/trace_logs_1234").toString());
        DataFile committedFile = write(table, "t-committed");
        table.commit(List.of(committedFile), Map.of("g-traces-assessed-0", 0L));
        Path committed = local(committedFile);
        Path oldUncommitted = local(write(table, "t-old-orphan"));
        Path youngUncommitted = local(write(table, "t-young-orphan"));
        Path foreign = Files.writeString(committed.resolveSibling("part-00000-from-spark.snappy.parquet"), "x");
        Duration grace = Duration.ofMinutes(35);
        age(committed, Duration.ofDays(1));
        age(oldUncommitted, Duration.ofDays(1));
        age(foreign, Duration.ofDays(1));
        age(youngUncommitted, Duration.ofMinutes(1));

        int deleted = new Warehouse(root.toString(), new Configuration(), TRACE_LOGS_PREFIX)
                .deleteUncommittedFiles(table, grace.toMillis(), NOW.toEpochMilli());

        assertThat(deleted).isEqualTo(1);
        assertThat(oldUncommitted).doesNotExist();
        assertThat(committed).exists();
        assertThat(youngUncommitted).exists();
        assertThat(foreign).exists();
    }

    private static DataFile write(TraceLogsTable table, String traceId) throws IOException {
        return table.write(TraceLogsSchema.requestDate(NOW.toEpochMilli()),
                List.of(TestTraces.trace(traceId).experiment("1234").requestTime(NOW).build())).get(0);
    }

    private static Path local(DataFile file) {
        return Path.of(URI.create(file.path()));
    }

    private static void age(Path file, Duration age) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(age)));
    }
}
