package dev.tracemonitor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.testing.TestTraces;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MonitorConfigCodecTest {

    private static final String VALID = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
             "assessments_config": {"sample": 0.5, "assessments": [{"name": "safety"},
               {"guidelines": {"tone": ["be polite"]}, "sample_rate": 1.0}]}}""";

    @Test
    void acceptsTheSeedShape() {
        MonitorConfig config = MonitorConfigCodec.decode("42", TestTraces.utf8(VALID));
        assertThat(config.defaultSample()).isEqualTo(0.5);
        assertThat(config.judges()).hasSize(2);
        assertThat(MonitorConfigCodec.decode("42", MonitorConfigCodec.encode(config))).isEqualTo(config);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}, "extra": 1} | unknown field "extra"
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "toxicity"}]}} | is not a builtin judge
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"sample": 1.5, "assessments": []}} | sample must be within [0, 1]
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "sample_rate": -0.1}]}} | sample_rate must be within [0, 1]
            {"experiment_id": "42", "catalog_name": "../etc", "schema_name": "mon", "assessments_config": {"assessments": []}} | catalog_name must match
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "a/b", "assessments_config": {"assessments": []}} | schema_name must match
            {"experiment_id": "7", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}} | differs from experiment_id
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"guidelines": {"tone": []}}]}} | needs at least one text
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"guidelines": {"tone": ["  "]}}]}} | has an empty text
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety"}, {"name": "safety"}]}} | appears twice
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "guidelines": {"x": ["y"]}}]}} | exactly one of
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon"} | assessments_config is required
            {"catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}} | experiment_id is required
            not json | not a valid monitor config JSON
            """)
    void rejectsWithAPreciseReason(String json, String reason) {
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", TestTraces.utf8(json)))
                .isInstanceOf(InvalidMonitorConfigException.class).hasMessageContaining(reason);
    }
}
