package dev.tracemonitor.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trace_logs table written before the token columns existed gets them on the next write; older rows read null. */
class SchemaEvolutionTest {

    @TempDir
    Path warehouse;

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @Test
    void aTableOfTheFirstSchemaGetsTheTokenColumnsAndKeepsItsRows() throws IOException {
        Engine engine = DefaultEngine.create(new Configuration());
        String path = warehouse.resolve("main/default/trace_logs_7").toString();
        CommitOutcome outcome = EvolvedTableWriter.write(engine, path);

        assertThat(outcome).isInstanceOf(CommitOutcome.Committed.class);
        DeltaTableStats stats = DeltaTableStats.read(engine, path).orElseThrow();
        assertThat(stats.version()).as("first data, the schema change, the second data").isEqualTo(2);
        assertThat(stats.transactionVersion("sink-0")).contains(1L);
        Map<String, Map<String, Object>> rows = new HashMap<>();
        stats.forEachRow(row -> {
            Map<String, Object> values = KernelRows.toJava(row);
            rows.put((String) values.get("trace_id"), values);
        });
        assertThat(rows).containsOnlyKeys("t-old", "t-new");
        assertThat(rows.get("t-old")).containsEntry("input_tokens", null).containsEntry("output_tokens", null)
                .containsEntry("total_tokens", null).containsEntry("request", "question of t-old");
        assertThat(rows.get("t-new")).containsEntry("input_tokens", 20L).containsEntry("output_tokens", 5L)
                .containsEntry("total_tokens", 25L);
    }

    @Test
    void onlyAppendedNullableColumnsAreAnEvolution() {
        StructType first = FirstSchemaTraceLogsTable.schemaBeforeTokens();

        assertThat(DeltaTable.evolvesTo(first, TraceLogsSchema.SCHEMA)).isTrue();
        assertThat(DeltaTable.evolvesTo(TraceLogsSchema.SCHEMA, first)).as("dropping columns").isFalse();
        assertThat(DeltaTable.evolvesTo(first, first)).as("no change").isFalse();
        assertThat(DeltaTable.evolvesTo(first, first.add("required", LongType.LONG, false))).isFalse();
        StructType retyped = new StructType(new ArrayList<>(first.fields().subList(0, first.length() - 1)))
                .add("spans", StringType.STRING).add("input_tokens", LongType.LONG);
        assertThat(DeltaTable.evolvesTo(first, retyped)).as("a changed column").isFalse();
    }

    @Test
    void aTableWithAnotherSchemaIsStillRefused() throws IOException {
        Engine engine = DefaultEngine.create(new Configuration());
        String path = warehouse.resolve("main/default/trace_logs_8").toString();
        TraceLogsTable current = new TraceLogsTable(engine, path);
        int date = TraceLogsSchema.requestDate(EvolvedTableWriter.REQUEST_TIME);
        current.commit(current.write(date, List.of(EvolvedTableWriter.trace("t", 1))), Map.of("sink-0", 0L));

        FirstSchemaTraceLogsTable older = new FirstSchemaTraceLogsTable(engine, path);
        assertThatThrownBy(() -> older.write(date, List.of(EvolvedTableWriter.trace("t2", 1))))
                .isInstanceOf(IncompatibleTableException.class);
    }
}
