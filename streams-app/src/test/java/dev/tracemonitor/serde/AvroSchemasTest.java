package dev.tracemonitor.serde;

import static dev.tracemonitor.serde.AvroTestSupport.contractSchema;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tracemonitor.model.MonitorConfig;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.JsonProperties;
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
    void monitorConfigAvscHasEveryJsonFieldOfTheMonitorConfigModelAndOptionalOnesDefaultToNull() {
        Schema config = contractSchema("MonitorConfig.avsc");
        Schema assessments = config.getField("assessments_config").schema();
        Schema judge = assessments.getField("assessments").schema().getElementType();

        assertThat(fieldNames(config)).isEqualTo(jsonNames(MonitorConfig.class));
        assertThat(fieldNames(assessments)).isEqualTo(jsonNames(MonitorConfig.AssessmentsConfig.class));
        assertThat(fieldNames(judge)).isEqualTo(jsonNames(MonitorConfig.JudgeConfig.class));
        assertThat(judge.getField("model").defaultVal()).isEqualTo(JsonProperties.NULL_VALUE);
        assertThat(config.getField("filter").defaultVal()).isEqualTo(JsonProperties.NULL_VALUE);
    }

    private static List<String> fieldNames(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList();
    }

    private static List<String> jsonNames(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(component -> {
            try {
                return type.getDeclaredField(component.getName()).getAnnotation(JsonProperty.class).value();
            } catch (NoSuchFieldException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void theSpanInlinedInTraceAvscIsExactlySpanAvscDocsIncluded() {
        Schema inlined = contractSchema("Trace.avsc").getField("spans").schema().getElementType();

        assertThat(inlined.toString()).isEqualTo(contractSchema("Span.avsc").toString());
    }
}
