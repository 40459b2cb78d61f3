package dev.tracemonitor.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.testing.TestTraces;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A monitor's code scorer entries, {@code {"scorer": "pii_leak", "sample_rate": 1.0}}: kept, and what is refused. */
class ScorerEntriesCodecTest {

    private static final String WITH = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
             "assessments_config": {"sample": 0.5, "assessments": [{"name": "safety"}, %s]}}""";

    @Test
    void aScorerEntryIsAJudgeNamedAfterItsScorerWithItsRate() {
        MonitorConfig config = MonitorConfigCodec.decode("42", TestTraces.utf8("""
                {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"sample": 0.5, "assessments": [{"name": "safety"},
                   {"scorer": "pii_leak", "sample_rate": 1.0}, {"scorer": "latency"}]},
                 "alerts": [{"judge": "pii_leak", "min_pass_rate": 0.99, "window": "PT1H", "min_count": 10,
                             "webhook": "https://hooks.example/q"}]}"""));

        assertThat(config.judges().get(1)).isEqualTo(MonitorConfig.JudgeConfig.scorer("pii_leak", 1.0));
        assertThat(MonitorConfigCodec.decode("42", MonitorConfigCodec.encode(config))).isEqualTo(config);
        assertThat(JudgeSpec.of(config)).containsExactly(new JudgeSpec("safety", 0.5, null, null),
                JudgeSpec.scorer("pii_leak", 1.0), JudgeSpec.scorer("latency", 0.5));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"scorer": "pii leak"}                                  | assessments[1].scorer "pii leak" must match
            {"scorer": ""}                                          | assessments[1].scorer "" must match
            {"scorer": "groundedness"}                              | assessments[1].scorer "groundedness" is the name of a builtin judge
            {"scorer": "retrieval_relevance"}                       | assessments[1].scorer "retrieval_relevance" is the name of a builtin judge
            {"scorer": "safety"}                                    | assessments[1].scorer "safety" is the name of a builtin judge
            {"scorer": "pii"}, {"scorer": "pii"}                    | judge "pii" appears twice
            {"guidelines": {"pii": ["no PII"]}}, {"scorer": "pii"}  | judge "pii" appears twice
            {"name": "pii", "instructions": "Is {{ outputs }} free of PII?", "feedback_value_type": "yes_no"}, {"scorer": "pii"} | judge "pii" appears twice
            {"scorer": "pii", "name": "pii"}                        | assessments[1] has "scorer" and ["name"]; a scorer entry has only "scorer" and "sample_rate"
            {"scorer": "pii", "model": "gpt-4o"}                    | assessments[1] has "scorer" and ["model"]
            {"scorer": "pii", "guidelines": {"x": ["y"]}}           | assessments[1] has "scorer" and ["guidelines"]
            {"scorer": "pii", "instructions": "Is {{ outputs }} ok?", "feedback_value_type": "yes_no"} | assessments[1] has "scorer" and ["instructions", "feedback_value_type"]
            {"scorer": "pii", "sample_rate": 2}                     | assessments[1].sample_rate must be within [0, 1]
            {"scorer": 7}                                           | field assessments_config.assessments[1].scorer: Cannot coerce Integer value (7)
            """)
    void aBadScorerEntryIsRejectedWithAPreciseReason(String entry, String reason) {
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", TestTraces.utf8(WITH.formatted(entry))))
                .isInstanceOf(InvalidMonitorConfigException.class).hasMessageContaining(reason);
    }
}
