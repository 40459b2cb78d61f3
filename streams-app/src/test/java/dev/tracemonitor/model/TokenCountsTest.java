package dev.tracemonitor.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.serde.TraceJsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Token usage read from each convention, on traces and span attributes from the real-trace corpus (see SOURCES.md). */
class TokenCountsTest {

    @Test
    void mlflowTraceMetadataGivesTheTraceTotal() throws IOException {
        Trace trace = TraceJsonCodec.fromJson(corpus("mlflow/rest-v3-trace-with-assessment.json"));

        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(100L, 200L, 300L));
    }

    @Test
    void mlflowSpanUsageIsSummedWhenTheTraceHasNoTotal() throws IOException {
        JsonNode endpoint = corpus("databricks-blog/agent-endpoint-response-predict-ok.json");
        ObjectNode trace = (ObjectNode) endpoint.path("databricks_output").path("trace");
        Trace withTotal = TraceJsonCodec.fromJson(trace);
        ((ObjectNode) trace.path("info").path("trace_metadata")).remove(TokenCounts.TRACE_TOKEN_USAGE);
        Trace withoutTotal = TraceJsonCodec.fromJson(trace);

        assertThat(TokenCounts.of(withTotal)).isEqualTo(new TokenCounts(27L, 641L, 668L));
        assertThat(withoutTotal.info().traceMetadata()).doesNotContainKey(TokenCounts.TRACE_TOKEN_USAGE);
        assertThat(TokenCounts.of(withoutTotal)).isEqualTo(new TokenCounts(27L, 641L, 668L));
    }

    @Test
    void openTelemetryGenAiUsageWithTheTotalItDoesNotCarry() throws IOException {
        Trace trace = traceOf(attributes("openinference/genai-fixture-otel-genai-client-span-tool-calls.json"));

        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(97L, 52L, 149L));
    }

    @Test
    void openInferenceTokenCounts() throws IOException {
        Trace trace = traceOf(attributes("openinference/genai-fixture-openinference-client-span-tool-calls.json"));

        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(97L, 52L, 149L));
    }

    @Test
    void siblingSpansOfOneConventionAreSummed() throws IOException {
        Map<String, String> call = attributes("openinference/genai-fixture-openinference-client-span-tool-calls.json");
        Trace trace = new Trace(info(Map.of()), List.of(span("root", null, Map.of()), span("a", "root", call),
                span("b", "root", call)));

        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(194L, 104L, 298L));
    }

    @Test
    void aSpanThatRepeatsTheUsageOfTheSpansInsideItIsCountedOnceAsMlflowDoes() throws IOException {
        Map<String, String> call = attributes("openinference/genai-fixture-otel-genai-client-span-tool-calls.json");
        Trace nested = new Trace(info(Map.of()), List.of(span("agent", null, call), span("model", "agent", call),
                span("retry", "model", call)));
        Trace outOfOrder = new Trace(info(Map.of()), List.of(span("model", "agent", call), span("agent", null, call)));

        assertThat(TokenCounts.of(nested)).isEqualTo(new TokenCounts(97L, 52L, 149L));
        assertThat(TokenCounts.of(outOfOrder)).isEqualTo(new TokenCounts(97L, 52L, 149L));
    }

    @Test
    void aSpanWhoseParentIsNotInTheTraceCountsAsOutermost() throws IOException {
        Map<String, String> call = attributes("openinference/genai-fixture-openinference-client-span-tool-calls.json");
        Trace trace = new Trace(info(Map.of()), List.of(span("a", "elsewhere", call), span("b", "a", Map.of()),
                span("c", "b", call), span("d", "d", call)));

        assertThat(TokenCounts.of(trace)).as("a and d are outermost; c is inside a; d is its own parent")
                .isEqualTo(new TokenCounts(194L, 104L, 298L));
    }

    @Test
    void aTraceThatRecordsNoUsageHasNoCounts() throws IOException {
        Trace trace = TraceJsonCodec.fromJson(corpus("mlflow/mlflow3-3.4-trace-to-dict.json"));

        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(null, null, null));
        assertThat(TokenCounts.of(trace).known()).isFalse();
    }

    @Test
    void countsThatAreNotWholeNonNegativeNumbersAreUnknown() {
        Trace trace = new Trace(info(Map.of(TokenCounts.TRACE_TOKEN_USAGE,
                "{\"input_tokens\": -1, \"output_tokens\": \"many\", \"total_tokens\": 2.5}")), List.of());

        assertThat(TokenCounts.of(trace).known()).isFalse();
    }

    private static Trace traceOf(Map<String, String> attributes) {
        return new Trace(info(Map.of()), List.of(span("s", null, attributes)));
    }

    private static Span span(String id, String parent, Map<String, String> attributes) {
        return new Span("t", id, parent, "llm", 1, 2, new SpanStatus("OK", ""), List.of(), attributes);
    }

    private static TraceInfo info(Map<String, String> metadata) {
        return new TraceInfo("t", null, null, 1_750_000_000_000L, null, "OK", null, null, metadata, Map.of(), List.of());
    }

    /** A fixture's attribute map as a span holds it: strings as they are, other JSON values as their JSON text. */
    private static Map<String, String> attributes(String path) throws IOException {
        Map<String, String> attributes = new LinkedHashMap<>();
        corpus(path).fields().forEachRemaining(e -> attributes.put(e.getKey(),
                e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString()));
        return attributes;
    }

    private static JsonNode corpus(String path) throws IOException {
        try (InputStream in = TokenCountsTest.class.getResourceAsStream("/real-traces/" + path)) {
            return Json.MAPPER.readTree(in);
        }
    }
}
