package dev.tracemonitor.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.testing.TestTraces;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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

    @Test
    void mlflow3ScorerNamesRunTheSameJudgesOnTheSameTraces() {
        String config = """
                {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"sample": 0.3, "assessments": [{"name": "%s", "sample_rate": 0.5},
                   {"name": "%s"}, {"name": "%s", "model": "judge-large"}, {"name": "safety"}]}}""";
        MonitorConfig mlflow3 = MonitorConfigCodec.decode("42", TestTraces.utf8(config.formatted(
                "retrieval_groundedness", "retrieval_relevance", "relevance_to_query")));
        MonitorConfig wire = MonitorConfigCodec.decode("42", TestTraces.utf8(config.formatted(
                "groundedness", "chunk_relevance", "relevance_to_query")));

        assertThat(mlflow3).isEqualTo(wire);
        assertThat(mlflow3.judges()).extracting(MonitorConfig.JudgeConfig::name)
                .containsExactly("groundedness", "chunk_relevance", "relevance_to_query", "safety");
        for (int i = 0; i < 200; i++) {
            assertThat(Sampler.selectedJudges(mlflow3, "tr-" + i)).isEqualTo(Sampler.selectedJudges(wire, "tr-" + i));
        }
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", TestTraces.utf8(config.formatted(
                "retrieval_groundedness", "groundedness", "chunk_relevance"))))
                .isInstanceOf(InvalidMonitorConfigException.class)
                .hasMessage("judge \"groundedness\" appears twice");
    }

    @Test
    void aJudgeMayNameItsModelAndWithoutOneUsesTheDefault() {
        MonitorConfig config = MonitorConfigCodec.decode("42", TestTraces.utf8("""
                {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"assessments": [{"name": "safety", "model": "judge-large"},
                   {"guidelines": {"tone": ["be polite"]}, "model": "Qwen/Qwen2.5-72B-Instruct:fp8 ü"},
                   {"name": "groundedness"}]}}"""));

        assertThat(config.judges()).extracting(MonitorConfig.JudgeConfig::model)
                .containsExactly("judge-large", "Qwen/Qwen2.5-72B-Instruct:fp8 ü", null);
        String encoded = new String(MonitorConfigCodec.encode(config), StandardCharsets.UTF_8);
        assertThat(encoded).contains("\"model\":\"judge-large\"");
        assertThat(encoded.split("\"model\"", -1)).as("no model key for the judge without one").hasSize(3);
        assertThat(MonitorConfigCodec.decode("42", MonitorConfigCodec.encode(config))).isEqualTo(config);
    }

    @Test
    void aModelNameIsBoundedInLength() {
        String json = """
                {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
                 "assessments_config": {"assessments": [{"name": "safety", "model": "%s"}]}}""";
        String longest = "m".repeat(MonitorConfigCodec.MAX_MODEL_CHARS);

        assertThat(MonitorConfigCodec.decode("42", TestTraces.utf8(json.formatted(longest))).judges().get(0).model())
                .isEqualTo(longest);
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", TestTraces.utf8(json.formatted(longest + "m"))))
                .isInstanceOf(InvalidMonitorConfigException.class)
                .hasMessage("assessments[0].model is longer than 200 characters");
    }

    private static final String WITH_ALERT = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
             "assessments_config": {"assessments": [{"name": "safety"}, {"guidelines": {"tone": ["be polite"]}}]},
             "alerts": [%s]}""";

    @Test
    void anAlertOnAJudgeOfTheMonitorIsKeptAsWritten() {
        MonitorConfig config = MonitorConfigCodec.decode("42", TestTraces.utf8(WITH_ALERT.formatted("""
                {"judge": "tone", "min_pass_rate": 0.98, "window": "PT15M", "min_count": 20,
                 "webhook": "https://hooks.example.test/quality"}""")));

        assertThat(config.alerts()).singleElement().satisfies(alert -> {
            assertThat(alert.judge()).isEqualTo("tone");
            assertThat(alert.windowDuration()).hasMinutes(15);
            assertThat(alert.minCount()).isEqualTo(20);
        });
        assertThat(MonitorConfigCodec.decode("42", MonitorConfigCodec.encode(config))).isEqualTo(config);
        assertThat(new String(MonitorConfigCodec.encode(MonitorConfigCodec.decode("42", TestTraces.utf8(VALID))),
                StandardCharsets.UTF_8)).as("a monitor without alerts is written without the field")
                .doesNotContain("alerts");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"min_pass_rate": 0.9, "window": "PT15M", "min_count": 20, "webhook": "http://h/"} | alerts[0].judge is required
            {"judge": "relevance_to_query", "min_pass_rate": 0.9, "window": "PT15M", "min_count": 20, "webhook": "http://h/"} | alerts[0].judge "relevance_to_query" is not a judge of this monitor [safety, tone]
            {"judge": "safety", "min_pass_rate": 1.5, "window": "PT15M", "min_count": 20, "webhook": "http://h/"} | alerts[0].min_pass_rate must be within [0, 1]
            {"judge": "safety", "window": "PT15M", "min_count": 20, "webhook": "http://h/"} | alerts[0].min_pass_rate must be within [0, 1]
            {"judge": "safety", "min_pass_rate": 0.9, "window": "15m", "min_count": 20, "webhook": "http://h/"} | alerts[0].window "15m" is not an ISO-8601 duration
            {"judge": "safety", "min_pass_rate": 0.9, "window": "PT7M", "min_count": 20, "webhook": "http://h/"} | alerts[0].window must divide a day
            {"judge": "safety", "min_pass_rate": 0.9, "window": "P2D", "min_count": 20, "webhook": "http://h/"} | alerts[0].window must be between PT1S and PT24H
            {"judge": "safety", "min_pass_rate": 0.9, "window": "PT15M", "min_count": 0, "webhook": "http://h/"} | alerts[0].min_count must be at least 1
            {"judge": "safety", "min_pass_rate": 0.9, "window": "PT15M", "min_count": 20, "webhook": "ftp://h/"} | alerts[0].webhook must be an http or https URL
            {"judge": "safety", "min_pass_rate": 0.9, "window": "PT15M", "min_count": 20} | alerts[0].webhook is required
            {"judge": "safety", "min_pass_rate": 0.9, "window": "PT15M", "min_count": 20, "webhook": "http://h/", "channel": "x"} | unknown field "channel"
            """)
    void anInvalidAlertIsRejectedWithAPreciseReason(String alert, String reason) {
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", TestTraces.utf8(WITH_ALERT.formatted(alert))))
                .isInstanceOf(InvalidMonitorConfigException.class).hasMessageContaining(reason);
    }

    private static final String WITH_BUDGET = """
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon",
             "assessments_config": {"assessments": [{"name": "safety"}]}, "budget": %s}""";

    @Test
    void aBudgetIsKeptAsWrittenAndAMonitorWithoutOneIsWrittenWithoutTheField() {
        MonitorConfig config = MonitorConfigCodec.decode("42", TestTraces.utf8(WITH_BUDGET.formatted("""
                {"max_calls_per_hour": 500, "max_tokens_per_day": 2000000}""")));

        assertThat(config.budget().maxCallsPerHour()).isEqualTo(500);
        assertThat(config.budget().maxTokensPerDay()).isEqualTo(2_000_000);
        assertThat(MonitorConfigCodec.decode("42", MonitorConfigCodec.encode(config))).isEqualTo(config);
        assertThat(MonitorConfigCodec.decode("42", TestTraces.utf8(WITH_BUDGET.formatted(
                "{\"max_tokens_per_day\": 1}"))).budget().maxCallsPerHour()).isNull();
        assertThat(new String(MonitorConfigCodec.encode(MonitorConfigCodec.decode("42", TestTraces.utf8(VALID))),
                StandardCharsets.UTF_8)).doesNotContain("budget");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {} | budget needs max_calls_per_hour, max_tokens_per_day or both
            {"max_calls_per_hour": 0} | budget.max_calls_per_hour must be at least 1
            {"max_tokens_per_day": -5} | budget.max_tokens_per_day must be at least 1
            {"max_calls_per_hour": 1.5} | field budget.max_calls_per_hour
            {"max_calls_per_hour": "100"} | field budget.max_calls_per_hour
            {"max_calls_per_week": 100} | unknown field "max_calls_per_week"
            """)
    void anInvalidBudgetIsRejectedWithAPreciseReason(String budget, String reason) {
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", TestTraces.utf8(WITH_BUDGET.formatted(budget))))
                .isInstanceOf(InvalidMonitorConfigException.class).hasMessageContaining(reason);
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
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": ""}]}} | assessments[0].model must not be blank
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety"}, {"guidelines": {"tone": ["be polite"]}, "model": "   "}]}} | assessments[1].model must not be blank
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": " gpt-4o"}]}} | assessments[0].model must not start or end with whitespace
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": "gpt-4o\\n"}]}} | assessments[0].model must not start or end with whitespace
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": "gpt\\u00074o"}]}} | assessments[0].model has a non-printable character U+0007 at index 3
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": "gpt\\u200b4o"}]}} | assessments[0].model has a non-printable character U+200B at index 3
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": "a\\tb"}]}} | assessments[0].model has a non-printable character U+0009 at index 1
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "model": {"id": "gpt-4o"}}]}} | not a valid monitor config JSON
            not json | not a valid monitor config JSON
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"sample": "0.5", "assessments": []}} | field assessments_config.sample: Cannot coerce String value ("0.5")
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": "safety", "sample_rate": "1"}]}} | field assessments_config.assessments[0].sample_rate: Cannot coerce String value ("1")
            {"experiment_id": 42, "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}} | field experiment_id: Cannot coerce Integer value (42)
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": [{"name": true}]}} | field assessments_config.assessments[0].name: Cannot coerce Boolean value (true)
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}} {"experiment_id": "43"} | Trailing token
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}} garbage | not a valid monitor config JSON
            {"experiment_id": "42", "experiment_id": "43", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"assessments": []}} | Duplicate field 'experiment_id'
            {"experiment_id": "42", "catalog_name": "main", "schema_name": "mon", "assessments_config": {"sample": 0.5, "sample": 1.0, "assessments": []}} | Duplicate field 'sample'
            """)
    void rejectsWithAPreciseReason(String json, String reason) {
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", TestTraces.utf8(json)))
                .isInstanceOf(InvalidMonitorConfigException.class).hasMessageContaining(reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "overlong '/' in a value     | C0 AF       | value | an overlong encoding, in the value at /schema_name",
            "U+110000 in a key           | F4 90 80 80 | key   | a code point above U+10FFFF, in a key of /assessments_config/assessments/0/guidelines",
            "CESU-8 surrogate in a value | ED A0 80    | value | a UTF-16 surrogate encoded in UTF-8 (CESU-8), in the value at /schema_name"})
    void invalidUtf8IsRejectedNamingTheProblemAndTheField(String what, String hex, String where, String reason) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        json.writeBytes(TestTraces.utf8(where.equals("key")
                ? "{\"experiment_id\": \"42\", \"catalog_name\": \"main\", \"schema_name\": \"mon\", \"assessments_config\": {\"assessments\": [{\"guidelines\": {\"t"
                : "{\"experiment_id\": \"42\", \"catalog_name\": \"main\", \"schema_name\": \"m"));
        for (String b : hex.split(" ")) {
            json.write(Integer.parseInt(b, 16));
        }
        json.writeBytes(TestTraces.utf8(where.equals("key") ? "ne\": [\"be polite\"]}}]}}"
                : "n\", \"assessments_config\": {\"assessments\": []}}"));
        assertThatThrownBy(() -> MonitorConfigCodec.decode("42", json.toByteArray())).as(what)
                .isInstanceOf(InvalidMonitorConfigException.class).hasMessageContaining("invalid UTF-8 at byte ")
                .hasMessageContaining(reason);
    }
}
