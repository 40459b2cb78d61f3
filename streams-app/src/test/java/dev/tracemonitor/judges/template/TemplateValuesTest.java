package dev.tracemonitor.judges.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.TestTraces;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What the template variables hold for a trace. The expectations are in the shape MLflow's
 * {@code Assessment.to_dictionary()} writes them (a scalar as {@code expectation.value}, anything else as
 * {@code expectation.serialized_value} with JSON text; see ../shared/MLFLOW-TRACE-SHAPE.md).
 */
class TemplateValuesTest {

    private static final String WITH_EXPECTATIONS = """
            {"info": {"trace_id": "tr-exp", "request_time": "2025-01-01T00:00:00Z",
              "assessments": [
                {"assessment_name": "expected_response", "expectation": {"value": "Open Settings."}},
                {"assessment_name": "expected_facts", "expectation": {"serialized_value":
                  {"serialization_format": "JSON_FORMAT", "value": "[\\"settings\\", \\"reset\\"]"}}},
                {"assessment_name": "safety", "feedback": {"value": "yes"}}]},
             "data": {"spans": []}}
            """;

    @Test
    void expectationsAreTheTracesExpectationAssessmentsByNameAndNothingElse() {
        Trace trace = TraceJsonCodec.decode(TestTraces.utf8(WITH_EXPECTATIONS));

        assertThat(TemplateValues.of(TemplateVariable.EXPECTATIONS, trace)).contains(
                "{\"expected_response\":\"Open Settings.\",\"expected_facts\":[\"settings\",\"reset\"]}");
        assertThat(TemplateValues.of(TemplateVariable.EXPECTATIONS, TestTraces.ragChat("tr-none", Instant.EPOCH)))
                .as("feedback only").isEmpty();
    }

    @Test
    void theTraceIsTheSpanTreeWithTypesStatusDurationsInputsAndOutputs() {
        String rendered = TemplateValues.of(TemplateVariable.TRACE, TestTraces.ragChat("tr-1", Instant.EPOCH))
                .orElseThrow();

        assertThat(rendered).startsWith("- chat_agent [AGENT] STATUS_CODE_OK 1500 ms\n  inputs: {\"messages\"")
                .contains("\n  - vector_search [RETRIEVER] STATUS_CODE_ERROR 100 ms\n    inputs: {\"query\":\"Delta Lake\"}\n");
    }

    @Test
    void inputsAndOutputsAreTheRootSpansPayloadsAndEveryValueIsBounded() {
        Trace trace = TestTraces.ragChat("tr-2", Instant.EPOCH);
        assertThat(TemplateValues.of(TemplateVariable.INPUTS, trace)).contains(trace.rootSpan().inputsJson());
        assertThat(TemplateValues.of(TemplateVariable.OUTPUTS, trace)).contains(trace.rootSpan().outputsJson());

        Trace huge = TraceJsonCodec.decode(TestTraces.chat("tr-3", "1", "q", "x".repeat(100_000)));
        String outputs = TemplateValues.of(TemplateVariable.OUTPUTS, huge).orElseThrow();
        assertThat(outputs.length()).isLessThan(TemplateValues.MAX_CHARS + 100);
        assertThat(outputs).endsWith("more characters)");
    }
}
