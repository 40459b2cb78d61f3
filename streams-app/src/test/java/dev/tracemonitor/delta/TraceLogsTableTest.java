package dev.tracemonitor.delta;

import static dev.tracemonitor.testing.TestTraces.NEW_YEAR;
import static dev.tracemonitor.testing.TestTraces.NEW_YEARS_EVE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.testing.TestTraces;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceLogsTableTest {

    private static final String APP_0 = "sink-traces-assessed-0";
    private static final String APP_1 = "sink-traces-assessed-1";

    @TempDir
    Path warehouse;

    private Engine engine;
    private String tablePath;
    private TraceLogsTable table;

    @BeforeAll
    static void quietLogs() {
        SinkTestLogging.quiet();
    }

    @BeforeEach
    void setUp() {
        engine = DefaultEngine.create(new Configuration());
        tablePath = warehouse.resolve("main/default/trace_logs_1234").toString();
        table = new TraceLogsTable(engine, tablePath);
    }

    @Test
    void convertsVariedTracesWritesCommitsAndReadsThemBackWithKernel() throws IOException {
        List<DataFile> files = new ArrayList<>(table.write(date(NEW_YEAR),
                List.of(TestTraces.ragChat("t-rag", NEW_YEAR), TestTraces.bare("t-bare", NEW_YEAR))));
        files.addAll(table.write(date(NEW_YEARS_EVE),
                List.of(TestTraces.plainWithOddFeedback("t-odd", NEW_YEARS_EVE))));

        CommitOutcome outcome = table.commit(files, Map.of(APP_0, 41L));

        assertThat(outcome).isEqualTo(new CommitOutcome.Committed(0, 2, 3,
                files.stream().mapToLong(DataFile::sizeBytes).sum(), false));
        DeltaTableStats stats = DeltaTableStats.read(engine, tablePath).orElseThrow();
        assertThat(stats.version()).isZero();
        assertThat(stats.rows()).isEqualTo(3);
        assertThat(stats.dataFiles()).isEqualTo(2);
        assertThat(stats.transactionVersion(APP_0)).contains(41L);
        assertThat(Files.isDirectory(Path.of(tablePath, "request_date=2025-01-01"))).isTrue();
        assertThat(Files.isDirectory(Path.of(tablePath, "request_date=2024-12-31"))).isTrue();

        Map<String, Map<String, Object>> rows = new HashMap<>();
        stats.forEachRow(row -> {
            Map<String, Object> values = KernelRows.toJava(row);
            rows.put((String) values.get("trace_id"), values);
        });
        assertThat(rows).containsOnlyKeys("t-rag", "t-bare", "t-odd");
        assertRagChatRow(rows.get("t-rag"));
        assertBareRow(rows.get("t-bare"));
        assertOddFeedbackRow(rows.get("t-odd"));
    }

    @Test
    void replayedTransactionIdIsAlreadyWrittenAndCommitsNothing() throws IOException {
        table.commit(write("t-1", "t-2"), Map.of(APP_0, 10L, APP_1, 20L));

        List<DataFile> replayOfFirstId = write("t-1");
        CommitOutcome sameIds = table.commit(replayOfFirstId, Map.of(APP_0, 10L));
        List<DataFile> replayOfSecondId = write("t-2");
        CommitOutcome oneNewOneReplayed = table.commit(replayOfSecondId, Map.of(APP_0, 11L, APP_1, 20L));

        assertThat(sameIds).isEqualTo(new CommitOutcome.AlreadyWritten(Map.of(APP_0, 10L)));
        assertThat(oneNewOneReplayed).isEqualTo(new CommitOutcome.AlreadyWritten(Map.of(APP_0, 10L, APP_1, 20L)));
        DeltaTableStats stats = DeltaTableStats.read(engine, tablePath).orElseThrow();
        assertThat(stats.version()).isZero();
        assertThat(stats.traceIds()).containsExactlyInAnyOrder("t-1", "t-2");
        assertThat(table.transactionVersions(List.of(APP_0, APP_1))).isEqualTo(Map.of(APP_0, 10L, APP_1, 20L));

        List<DataFile> dropped = new ArrayList<>(replayOfFirstId);
        dropped.addAll(replayOfSecondId);
        assertThat(table.delete(dropped)).isEqualTo(2);
        assertThat(dropped).allSatisfy(file -> assertThat(Files.exists(localPath(file))).isFalse());
        assertThat(DeltaTableStats.read(engine, tablePath).orElseThrow().traceIds())
                .containsExactlyInAnyOrder("t-1", "t-2");
    }

    @Test
    void writesACheckpointEveryTenVersionsAndKeepsEveryTransactionId() throws IOException {
        List<Boolean> checkpointed = new ArrayList<>();
        for (int version = 0; version <= 11; version++) {
            Map<String, Long> ids = version % 2 == 0
                    ? Map.of(APP_0, (long) version, APP_1, 100L + version)
                    : Map.of(APP_0, (long) version);
            CommitOutcome outcome = table.commit(write("t-" + version), ids);
            checkpointed.add(((CommitOutcome.Committed) outcome).checkpointWritten());
        }

        assertThat(checkpointed).containsExactly(IntStream.rangeClosed(0, 11).mapToObj(v -> v == 10).toArray(Boolean[]::new));
        assertThat(Path.of(tablePath, "_delta_log", "00000000000000000010.checkpoint.parquet")).exists();
        assertThat(table.transactionVersions(List.of(APP_0, APP_1))).isEqualTo(Map.of(APP_0, 11L, APP_1, 110L));
        DeltaTableStats stats = DeltaTableStats.read(engine, tablePath).orElseThrow();
        assertThat(stats.version()).isEqualTo(11);
        assertThat(stats.rows()).isEqualTo(12);
        assertThat(stats.traceIds()).hasSize(12).doesNotHaveDuplicates();
    }

    @Test
    void referencedFilesAreTheCommittedOnesNotTheMerelyWrittenOnes() throws IOException {
        List<DataFile> committed = write("t-1");
        table.commit(committed, Map.of(APP_0, 1L));
        for (int i = 2; i <= 11; i++) {
            table.commit(write("t-" + i), Map.of(APP_0, (long) i));
        }
        List<DataFile> uncommitted = write("t-12");

        Set<String> referenced = table.referencedFiles();

        assertThat(referenced).hasSize(11).contains(relative(committed.get(0)));
        assertThat(referenced).doesNotContain(relative(uncommitted.get(0)));
    }

    private List<DataFile> write(String... traceIds) throws IOException {
        List<Trace> traces = new ArrayList<>();
        for (String id : traceIds) {
            traces.add(TestTraces.trace(id).experiment("1234").requestTime(NEW_YEAR).build());
        }
        return table.write(date(NEW_YEAR), traces);
    }

    private String relative(DataFile file) {
        return Path.of(tablePath).relativize(localPath(file)).toString();
    }

    private static Path localPath(DataFile file) {
        return Path.of(URI.create(file.path()));
    }

    private static int date(Instant instant) {
        return TraceLogsSchema.requestDate(instant.toEpochMilli());
    }

    private static long micros(Instant instant) {
        return instant.toEpochMilli() * 1000;
    }

    private static void assertRagChatRow(Map<String, Object> row) {
        long created = NEW_YEAR.toEpochMilli() + 5_000;
        assertThat(row)
                .containsEntry("client_request_id", "client-t-rag")
                .containsEntry("request_time", micros(NEW_YEAR))
                .containsEntry("request_date", (int) LocalDate.of(2025, 1, 1).toEpochDay())
                .containsEntry("state", "OK")
                .containsEntry("execution_duration_ms", 1500L)
                .containsEntry("request", "What is Delta Lake?")
                .containsEntry("response", "An open table format.")
                .containsEntry("trace_metadata", Map.of("mlflow.trace_schema.version", "3", "mlflow.user", "alice"))
                .containsEntry("tags", Map.of("env", "prod"))
                .containsEntry("trace_location", Map.of("type", "MLFLOW_EXPERIMENT",
                        "mlflow_experiment", Map.of("experiment_id", "1234")));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> assessments = (List<Map<String, Object>>) row.get("assessments");
        assertThat(assessments).hasSize(3);
        assertThat(assessments.get(0))
                .containsEntry("assessment_id", Assessment.deterministicId("t-rag", "relevance_to_query", null))
                .containsEntry("assessment_name", "relevance_to_query")
                .containsEntry("trace_id", "t-rag")
                .containsEntry("span_id", null)
                .containsEntry("source", Map.of("source_type", "LLM_JUDGE", "source_id", "gpt-judge"))
                .containsEntry("create_time", created * 1000)
                .containsEntry("last_update_time", (created + 1) * 1000)
                .containsEntry("feedback", mapWithNulls("value", "yes", "error", null))
                .containsEntry("rationale", "The answer addresses the question.")
                .containsEntry("metadata", Map.of("judge_model", "gpt-4o-mini"));
        assertThat(assessments.get(1))
                .containsEntry("assessment_name", "chunk_relevance/precision")
                .containsEntry("span_id", "retr-1")
                .containsEntry("feedback", mapWithNulls("value", "0.75", "error", null))
                .containsEntry("rationale", null)
                .containsEntry("metadata", Map.of());
        assertThat(assessments.get(2))
                .containsEntry("assessment_name", "safety")
                .containsEntry("feedback", mapWithNulls("value", null, "error",
                        Map.of("error_code", "TIMEOUT", "error_message", "judge did not answer within 10s")));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> spans = (List<Map<String, Object>>) row.get("spans");
        assertThat(spans).hasSize(2);
        assertThat(spans.get(0))
                .containsEntry("span_id", "root-1")
                .containsEntry("parent_span_id", null)
                .containsEntry("name", "chat_agent")
                .containsEntry("span_type", "AGENT")
                .containsEntry("start_time_unix_nano", 1_735_689_600_250_000_000L)
                .containsEntry("end_time_unix_nano", 1_735_689_601_750_000_000L)
                .containsEntry("status", Map.of("code", "STATUS_CODE_OK", "message", ""))
                .containsEntry("attributes", Map.of("mlflow.traceRequestId", "\"t-rag\""))
                .containsEntry("events", List.of());
        assertThat((String) spans.get(0).get("inputs")).contains("\"What is Delta Lake?\"");
        assertThat(spans.get(1))
                .containsEntry("span_id", "retr-1")
                .containsEntry("parent_span_id", "root-1")
                .containsEntry("span_type", "RETRIEVER")
                .containsEntry("status", Map.of("code", "STATUS_CODE_ERROR", "message", "partial results"))
                .containsEntry("inputs", "{\"query\":\"Delta Lake\"}")
                .containsEntry("attributes", Map.of())
                .containsEntry("events", List.of(Map.of("name", "exception",
                        "time_unix_nano", 1_735_689_600_350_000_000L,
                        "attributes", Map.of("exception.message", "\"timeout on shard 2\""))));
        assertThat((String) spans.get(1).get("outputs")).contains("\"doc_uri\":\"https://docs/delta\"");
    }

    private static void assertBareRow(Map<String, Object> row) {
        assertThat(row)
                .containsEntry("client_request_id", null)
                .containsEntry("request_date", (int) LocalDate.of(2025, 1, 1).toEpochDay())
                .containsEntry("state", null)
                .containsEntry("execution_duration_ms", null)
                .containsEntry("request", "preview request")
                .containsEntry("response", null)
                .containsEntry("trace_metadata", Map.of())
                .containsEntry("tags", Map.of())
                .containsEntry("trace_location", null)
                .containsEntry("assessments", List.of())
                .containsEntry("spans", List.of());
    }

    private static void assertOddFeedbackRow(Map<String, Object> row) {
        assertThat(row)
                .containsEntry("request_time", micros(NEW_YEARS_EVE))
                .containsEntry("request_date", (int) LocalDate.of(2024, 12, 31).toEpochDay())
                .containsEntry("state", "ERROR")
                .containsEntry("request", "2+2?")
                .containsEntry("response", "4")
                .containsEntry("trace_location", mapWithNulls("type", "MLFLOW_EXPERIMENT", "mlflow_experiment", null));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> assessments = (List<Map<String, Object>>) row.get("assessments");
        assertThat(assessments).singleElement().satisfies(a -> assertThat(a)
                .containsEntry("assessment_id", "a-custom")
                .containsEntry("source", null)
                .containsEntry("create_time", null)
                .containsEntry("last_update_time", null)
                .containsEntry("feedback", mapWithNulls("value", "true", "error", null))
                .containsEntry("metadata", Map.of()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> spans = (List<Map<String, Object>>) row.get("spans");
        assertThat(spans).singleElement().satisfies(s -> assertThat(s)
                .containsEntry("parent_span_id", "")
                .containsEntry("span_type", null)
                .containsEntry("status", null)
                .containsEntry("outputs", "\"4\""));
    }

    private static Map<String, Object> mapWithNulls(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new HashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
