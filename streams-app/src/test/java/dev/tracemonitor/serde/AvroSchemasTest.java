package dev.tracemonitor.serde;

import static dev.tracemonitor.serde.AvroTestSupport.contractSchema;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AvroSchemasTest {

    @Test
    void theGeneratedTraceSchemaIsTraceAvsc() {
        assertThat(AvroTraceCodec.SCHEMA.toString()).isEqualTo(contractSchema("Trace.avsc").toString());
    }

    @Test
    void theAssessmentInlinedInTraceAvscIsExactlyAssessmentAvscDocsIncluded() {
        Schema inlined = contractSchema("Trace.avsc").getField("info").schema().getField("assessments").schema()
                .getElementType();

        assertThat(inlined.toString()).isEqualTo(contractSchema("Assessment.avsc").toString());
        assertThat(AvroAssessmentCodec.SCHEMA.toString()).isEqualTo(contractSchema("Assessment.avsc").toString());
    }

    @Test
    void theSpanInlinedInTraceAvscIsExactlySpanAvscDocsIncluded() {
        Schema inlined = contractSchema("Trace.avsc").getField("spans").schema().getElementType();

        assertThat(inlined.toString()).isEqualTo(contractSchema("Span.avsc").toString());
    }
}
