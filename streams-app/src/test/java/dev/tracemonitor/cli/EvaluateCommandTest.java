package dev.tracemonitor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.scorers.PluginJars;
import dev.tracemonitor.testing.scorers.ThrowingScorer;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.Reply;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.RecordedRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvaluateCommandTest {

    @TempDir
    Path dir;

    @Test
    void tracesWithoutRetrieverSpansReportGroundednessAndChunkRelevanceAsNotApplicable() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            lines.add(new String(TestTraces.chat("ev-" + i, "1", "How do I reset my password?",
                    "Open Settings, choose Security and click Reset password."), StandardCharsets.UTF_8));
        }
        Path file = Files.write(dir.resolve("traces.jsonl"), lines);

        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        int code = cmd.execute("evaluate", "--traces", file.toString(), "--judge", "safety", "--judge", "groundedness",
                "--judge", "chunk_relevance", "--judge", "relevance_to_query", "--output", "json");

        assertThat(code).isZero();
        JsonNode judges = Json.MAPPER.readTree(out.toString()).get("judges");
        assertThat(judges.get("groundedness").get("not_applicable").asInt()).isEqualTo(4);
        assertThat(judges.get("groundedness").get("ran").asInt()).isZero();
        assertThat(judges.get("chunk_relevance").get("not_applicable").asInt()).isEqualTo(4);
        assertThat(judges.get("safety").get("ran").asInt()).isEqualTo(4);
        assertThat(judges.get("safety").get("yes").asInt()).isEqualTo(4);
        assertThat(judges.get("relevance_to_query").get("yes").asInt()).isEqualTo(4);
        JsonNode firstTrace = Json.MAPPER.readTree(out.toString()).get("traces").get(0);
        assertThat(firstTrace.get("not_applicable").toString()).contains("groundedness", "chunk_relevance");
    }

    @Test
    void aMonitorFileThatNamesAJudgesModelIsHonouredOnTheLlmBackend() throws Exception {
        Path traces = oneChatTrace("ev-m");
        Path monitor = Files.writeString(dir.resolve("monitor.json"), """
                {"experiment_id": "1", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"assessments": [{"name": "safety", "model": "judge-large"},
                   {"name": "relevance_to_query"}]}}""");
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));

        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            int code = cmd.execute("evaluate", "--traces", traces.toString(), "--file", monitor.toString(),
                    "--output", "json", "--judge-backend", "llm", "-D", "trace-monitor.llm.base.url=" + server.baseUrl(),
                    "-D", "trace-monitor.llm.model=judge-default", "-D", "trace-monitor.llm.api.key.env=");

            assertThat(code).isZero();
            assertThat(server.requests()).extracting(RecordedRequest::model)
                    .containsExactlyInAnyOrder("judge-large", "judge-default");
        }
        assertThat(sourceIdsOfFirstTrace(out.toString())).containsOnly(entry("safety", "judge-large"), entry("relevance_to_query", "judge-default"));
    }

    @Test
    void judgeModelFlagSetsTheModelOfEveryJudgeGivenByFlags() throws Exception {
        Path traces = oneChatTrace("ev-f");
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));

        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            int code = cmd.execute("evaluate", "--traces", traces.toString(), "--judge", "safety",
                    "--guideline", "tone=The response is polite.", "--judge-model", "judge-large", "--output", "json",
                    "--judge-backend", "llm", "-D", "trace-monitor.llm.base.url=" + server.baseUrl(),
                    "-D", "trace-monitor.llm.model=judge-default", "-D", "trace-monitor.llm.api.key.env=");

            assertThat(code).isZero();
            assertThat(server.requests()).extracting(RecordedRequest::model).containsOnly("judge-large").hasSize(2);
        }
        assertThat(sourceIdsOfFirstTrace(out.toString())).containsOnly(entry("safety", "judge-large"), entry("tone", "judge-large"));
    }

    @Test
    void judgeModelFlagWithAMonitorFileIsAUsageErrorNamingTheJsonField() throws Exception {
        Path traces = oneChatTrace("ev-u");
        Path monitor = Files.writeString(dir.resolve("u.json"), """
                {"experiment_id": "1", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"assessments": [{"name": "safety"}]}}""");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(err, true));

        int code = cmd.execute("evaluate", "--traces", traces.toString(), "--file", monitor.toString(),
                "--judge-model", "judge-large");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--judge-model", "\"model\"");
    }

    @Test
    void theLlmBackendWithoutItsEndpointIsAnInvalidConfigurationNamingTheKey() throws Exception {
        Path traces = oneChatTrace("ev-k");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(err, true));

        int code = cmd.execute("evaluate", "--traces", traces.toString(), "--judge", "safety", "--judge-backend", "llm",
                "-D", "trace-monitor.llm.model=judge-default", "-D", "trace-monitor.llm.api.key.env=");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("invalid configuration", "trace-monitor.llm.base.url")
                .doesNotContain("bootstrap.servers");
    }

    @Test
    void fromTopicDecodesInTheConfiguredTracesFormat() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(err, true));

        int code = cmd.execute("evaluate", "--from-topic", "--judge", "safety", "--bootstrap-servers", "127.0.0.1:1",
                "-D", "trace-monitor.format.traces=avro");

        assertThat(code).as("the avro decoder needs its registry before anything is read").isEqualTo(2);
        assertThat(err.toString()).contains("invalid configuration", "schema.registry.url");
    }

    @Test
    void tablePrintsPerJudgeCountsAndVerdictsWithRationales() throws Exception {
        Path file = Files.write(dir.resolve("t.jsonl"), List.of(new String(TestTraces.rag("ev-rag", "1",
                "What is a Delta checkpoint?", "A checkpoint is a Parquet file that aggregates the table state.",
                List.of("Delta writes a checkpoint Parquet file every 10 commits."
                        + " It aggregates the table state so readers skip JSON commits.")), StandardCharsets.UTF_8)));
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));

        int code = cmd.execute("evaluate", "--traces", file.toString(), "--judge", "groundedness",
                "--judge", "chunk_relevance");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("judge", "groundedness", "chunk_relevance/precision", "ev-rag");
    }

    @Test
    void evaluateRunsTheCodeScorersOfAMonitorFileFromThePluginDirectory() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJars.copyExample(plugins);
        PluginJars.build(plugins.resolve("bad.jar"), ThrowingScorer.class);
        Path traces = Files.write(dir.resolve("pii.jsonl"), List.of(
                new String(TestTraces.chat("ev-pii", "1", "Who?", "Mail jane@example.com."), StandardCharsets.UTF_8),
                new String(TestTraces.chat("ev-ok", "1", "Who?", "Ask at the desk."), StandardCharsets.UTF_8)));
        Path monitor = Files.writeString(dir.resolve("scorers.json"), """
                {"experiment_id": "1", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"assessments": [{"scorer": "pii_leak"}, {"scorer": "always_throws"}]}}""");
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));

        int code = cmd.execute("evaluate", "--traces", traces.toString(), "--file", monitor.toString(),
                "--output", "json", "-D", "trace-monitor.scorers.dir=" + plugins);

        assertThat(code).isZero();
        JsonNode judges = Json.MAPPER.readTree(out.toString()).get("judges");
        assertThat(judges.get("pii_leak").get("yes").asInt()).isEqualTo(1);
        assertThat(judges.get("pii_leak").get("no").asInt()).isEqualTo(1);
        assertThat(judges.get(ThrowingScorer.NAME).get("errors").asInt()).isEqualTo(2);
    }

    @Test
    void evaluateRunsTheTemplateJudgesOfAMonitorFileOnTheLlmBackend() throws Exception {
        Path traces = oneChatTrace("ev-t");
        Path monitor = Files.writeString(dir.resolve("template.json"), """
                {"experiment_id": "1", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"assessments": [{"name": "helpfulness",
                   "instructions": "Rate from 1 to 5 how helpful {{ outputs }} is for {{ inputs }}.",
                   "feedback_value_type": "int", "min_value": 1, "max_value": 5}]}}""");
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new TraceMonitorCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));

        try (FakeOpenAiServer server = FakeOpenAiServer.start(Behavior.always(
                Reply.content("{\"rationale\": \"It says when.\", \"result\": 4}")))) {
            int code = cmd.execute("evaluate", "--traces", traces.toString(), "--file", monitor.toString(),
                    "--output", "json", "--judge-backend", "llm", "-D", "trace-monitor.llm.base.url=" + server.baseUrl(),
                    "-D", "trace-monitor.llm.model=judge-default", "-D", "trace-monitor.llm.api.key.env=");

            assertThat(code).isZero();
            assertThat(server.requests()).singleElement().satisfies(request ->
                    assertThat(request.user()).contains("<outputs>", "It ships today.", "<inputs>"));
        }
        JsonNode assessment = Json.MAPPER.readTree(out.toString()).get("traces").get(0).get("assessments").get(0);
        assertThat(assessment.get("assessment_name").asText()).isEqualTo("helpfulness");
        assertThat(assessment.get("feedback").get("value").asLong()).isEqualTo(4);
        assertThat(assessment.get("rationale").asText()).isEqualTo("It says when.");
    }

    private Path oneChatTrace(String traceId) throws Exception {
        return Files.write(dir.resolve(traceId + ".jsonl"), List.of(new String(TestTraces.chat(traceId, "1",
                "Where is my order?", "It ships today."), StandardCharsets.UTF_8)));
    }

    /** assessment_name → source.source_id of the first trace in {@code evaluate --output json}. */
    private static Map<String, String> sourceIdsOfFirstTrace(String json) throws Exception {
        Map<String, String> sources = new HashMap<>();
        for (JsonNode a : Json.MAPPER.readTree(json).get("traces").get(0).get("assessments")) {
            sources.put(a.get("assessment_name").asText(), a.get("source").get("source_id").asText());
        }
        return sources;
    }
}
