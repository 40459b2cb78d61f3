package dev.tracemonitor.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.serde.DeadLetters;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the quickstart prints at the end (and writes as JSON with --summary-file). */
record Summary(List<TableLine> tables, long produced, long malformed, long tracesRead, String dlqTopic, long dlq,
               List<JudgeLine> judges) {

    /** One trace_logs table the run wrote. */
    record TableLine(String path, long rows, long files, long version) {
    }

    /** Per judge: traces it ran on, and how its results came out. */
    record JudgeLine(String judge, long ran, long yes, long no, long errors, long notApplicable) {
    }

    static Summary collect(List<String> tablePaths, long produced, long malformed, String dlqTopic, long dlq,
                           TraceMonitorMetrics metrics, List<MonitorConfig> monitors) {
        List<JudgeLine> judges = new ArrayList<>();
        for (JudgeSpec spec : JudgeSpec.of(monitors.get(0))) {
            String name = spec.name();
            judges.add(new JudgeLine(name, (long) metrics.count("judge.sampled", "judge", name),
                    outcome(metrics, name, "yes"), outcome(metrics, name, "no"), outcome(metrics, name, "error"),
                    outcome(metrics, name, "not_applicable")));
        }
        List<TableLine> tables = new ArrayList<>();
        for (String path : tablePaths) {
            TableFacts facts = TableFacts.read(path);
            tables.add(new TableLine(path, facts.rows(), facts.files(), facts.version()));
        }
        return new Summary(tables, produced, malformed, (long) metrics.count("traces.in"), dlqTopic, dlq, judges);
    }

    /** Rows in all the tables. */
    long rows() {
        return tables.stream().mapToLong(TableLine::rows).sum();
    }

    private static long outcome(TraceMonitorMetrics metrics, String judge, String outcome) {
        return (long) metrics.count("judge.outcomes", "judge", judge, "outcome", outcome);
    }

    void print(PrintStream out, Duration took) {
        out.println();
        out.println("Summary (" + took.toSeconds() + " s)");
        out.printf("  traces read       %6d   (%d produced + %d malformed)%n", tracesRead, produced, malformed);
        out.printf("  dead-lettered     %6d   (topic %s, reason in header %s)%n", dlq, dlqTopic, DeadLetters.ERROR_REASON);
        for (TableLine table : tables) {
            out.printf("  rows in table     %6d   in %d data files, Delta version %d: %s%n", table.rows(), table.files(),
                    table.version(), table.path());
        }
        out.println();
        out.printf("  %-20s %6s %6s %6s %7s %15s%n", "judge", "ran", "yes", "no", "errors", "not applicable");
        for (JudgeLine j : judges) {
            out.printf("  %-20s %6d %6d %6d %7d %15d%n", j.judge(), j.ran(), j.yes(), j.no(), j.errors(), j.notApplicable());
        }
        out.println("  (chunk_relevance counts one result per retrieved chunk; each retriever span also gets a"
                + " chunk_relevance/precision value)");
        String tablePath = tables.get(0).path();
        out.println();
        out.println("  table: " + tablePath);
        out.println("  every Assessment, late ones too, also lands in "
                + tablePath.replace("/trace_logs_", "/trace_assessments_"));
        out.println("  query it with Spark SQL (delta-spark):");
        out.println("    SELECT a.assessment_name, a.feedback.value, count(*) FROM delta.`" + tablePath
                + "` LATERAL VIEW explode(assessments) t AS a GROUP BY 1, 2 ORDER BY 1, 2");
    }

    ObjectNode toJson(MonitorConfig monitor) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("table_path", tables.get(0).path());
        node.put("traces_produced", produced + malformed);
        node.put("well_formed", produced);
        node.put("malformed", malformed);
        node.put("traces_read", tracesRead);
        node.put("dlq", dlq);
        node.put("rows", rows());
        node.put("files", tables.get(0).files());
        node.put("version", tables.get(0).version());
        var tablesNode = node.putArray("tables");
        for (TableLine table : tables) {
            tablesNode.addObject().put("path", table.path()).put("rows", table.rows()).put("files", table.files())
                    .put("version", table.version());
        }
        try {
            node.set("monitor", Json.MAPPER.readTree(MonitorConfigCodec.encode(monitor)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        ObjectNode judgesNode = node.putObject("judges");
        for (JudgeLine j : judges) {
            judgesNode.putObject(j.judge()).put("ran", j.ran()).put("yes", j.yes()).put("no", j.no())
                    .put("errors", j.errors()).put("not_applicable", j.notApplicable());
        }
        return node;
    }
}
