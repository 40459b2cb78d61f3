package dev.tracemonitor.delta;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.testing.TestTraces;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes a trace_logs and a trace_assessments table made of many small commits, as the sink does over a long time
 * with short flush intervals: for the interop test, which reads them with Spark (a child process: Spark and the
 * service cannot share a classpath). Each commit carries transaction ids of three source partitions, like the sink's.
 *
 * <pre>
 * java -cp 'streams-app/target/test-classes:streams-app/target/classes:streams-app/target/lib/*' \
 *      dev.tracemonitor.delta.ManyCommitsTableWriter WAREHOUSE [COMMITS=150] [ROWS_PER_COMMIT=20]
 * </pre>
 * Prints the tables' paths and counts as JSON on the last line and into {@code WAREHOUSE/many-commits.json}.
 */
public final class ManyCommitsTableWriter {

    private ManyCommitsTableWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path warehouse = Path.of(args[0]).toAbsolutePath();
        int commits = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        int rowsPerCommit = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Engine engine = DefaultEngine.create(DeltaStorage.configure(new Configuration()));
        String traceLogsPath = warehouse.resolve("main/many/trace_logs_150").toString();
        String assessmentsPath = warehouse.resolve("main/many/trace_assessments_150").toString();
        TraceLogsTable traceLogs = new TraceLogsTable(engine, traceLogsPath);
        TraceAssessmentsTable assessments = new TraceAssessmentsTable(engine, assessmentsPath);
        Instant start = Instant.parse("2025-05-30T22:00:00Z");
        long rows = 0;
        long late = 0;
        int checkpoints = 0;
        long started = System.nanoTime();
        for (int c = 0; c < commits; c++) {
            Map<Integer, List<Trace>> traces = new TreeMap<>();
            Map<Integer, List<AssessmentRow>> feedback = new TreeMap<>();
            for (int r = 0; r < rowsPerCommit; r++) {
                long n = rows++;
                // a minute apart: the rows cross midnight, so commits touch one or two request_date partitions
                Instant at = start.plus(Duration.ofMinutes(n));
                String id = "many-" + n;
                Trace trace = TestTraces.trace(id).experiment("150").requestTime(at).request("question " + id)
                        .response("answer " + id).build();
                traces.computeIfAbsent(traceLogs.partitionDate(trace), d -> new ArrayList<>()).add(trace);
                boolean isLate = n % 5 == 0;
                late += isLate ? 1 : 0;
                Assessment assessment = new Assessment(Assessment.deterministicId(id, "safety", null), "safety", id,
                        null, new AssessmentSource(AssessmentSource.CODE, "many"), at.toEpochMilli() + 1000,
                        at.toEpochMilli() + 1000, Feedback.of(n % 7 == 0 ? "no" : "yes"), "rule", Map.of());
                AssessmentRow row = new AssessmentRow(assessment, isLate);
                feedback.computeIfAbsent(assessments.partitionDate(row), d -> new ArrayList<>()).add(row);
            }
            Map<String, Long> ids = new TreeMap<>();
            for (int p = 0; p < 3; p++) {
                ids.put("many-commits-traces-assessed-" + p, (long) c * 10 + p);
            }
            List<DataFile> files = new ArrayList<>();
            for (Map.Entry<Integer, List<Trace>> e : traces.entrySet()) {
                files.addAll(traceLogs.write(e.getKey(), e.getValue()));
            }
            CommitOutcome.Committed committed = (CommitOutcome.Committed) traceLogs.commit(files, ids);
            checkpoints += committed.checkpointWritten() ? 1 : 0;
            List<DataFile> feedbackFiles = new ArrayList<>();
            for (Map.Entry<Integer, List<AssessmentRow>> e : feedback.entrySet()) {
                feedbackFiles.addAll(assessments.write(e.getKey(), e.getValue()));
            }
            assessments.commit(feedbackFiles, Map.of("many-commits-trace-feedback-0", (long) c));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("trace_logs", traceLogsPath);
        summary.put("trace_assessments", assessmentsPath);
        summary.put("commits", commits);
        summary.put("rows", rows);
        summary.put("late", late);
        summary.put("checkpoints_written", checkpoints);
        summary.put("seconds", (System.nanoTime() - started) / 1e9);
        String json = dev.tracemonitor.model.Json.MAPPER.writeValueAsString(summary);
        Files.writeString(warehouse.resolve("many-commits.json"), json);
        System.out.println(json);
    }
}
