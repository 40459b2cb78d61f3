package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.JsonTraceDecoder;
import dev.tracemonitor.sink.DeltaSinkConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.topology.Topics;
import dev.tracemonitor.topology.TraceMonitorTopology;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * Every default appears once: each component's settings record built with no overrides equals the one
 * {@link ServiceConfig} builds from its own defaults (only the required {@code bootstrap.servers} set), so a second
 * literal for a default, in the component or in the {@code ConfigDef}, fails here.
 */
class ComponentSettingsTest {

    private static final String BOOTSTRAP = "broker:9092";

    private static ServiceConfig defaults() {
        return new ServiceConfig(Map.of(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP));
    }

    @Test
    void topicsAreTheTopicDefaults() {
        assertThat(defaults().topics()).isEqualTo(Topics.defaults());
    }

    @Test
    void engineSettingsAreTheEngineDefaults() {
        assertThat(defaults().judging().engineSettings()).isEqualTo(ScoringEngine.Settings.defaults());
    }

    @Test
    void topologySettingsAreTheTopologyDefaults() {
        assertThat(defaults().topologySettings()).isEqualTo(TraceMonitorTopology.Settings.defaults());
    }

    @Test
    void traceLogsSinkConfigIsTheSinkDefaultsOnTracesAssessed() {
        ServiceConfig config = defaults();
        DeltaSinkConfig sinkDefaults = DeltaSinkConfig.builder(BOOTSTRAP, config.getString(ServiceConfig.WAREHOUSE_CONFIG))
                .topic(Topics.DEFAULT_ASSESSED)
                .build();

        assertThat(config.traceLogsSinkConfig()).isEqualTo(sinkDefaults);
    }

    @Test
    void assessmentsSinkConfigIsTheSinkDefaultsOnTraceFeedbackInItsOwnGroup() {
        ServiceConfig config = defaults();
        DeltaSinkConfig sinkDefaults = DeltaSinkConfig.builder(BOOTSTRAP, config.getString(ServiceConfig.WAREHOUSE_CONFIG))
                .topic(Topics.DEFAULT_FEEDBACK)
                .groupId(DeltaSinkConfig.DEFAULT_GROUP_ID + ServiceConfig.ASSESSMENTS_SINK_GROUP_SUFFIX)
                .kind(SinkTableKind.TRACE_ASSESSMENTS)
                .build();

        assertThat(config.assessmentsSinkConfig()).isEqualTo(sinkDefaults);
    }

    @Test
    void judgingNeedsNoKafkaSettingAndDefaultsToTheLocalBackendReadingJson() {
        JudgingConfig judging = new JudgingConfig(Map.of());

        assertThat(judging.backend()).isEqualTo(JudgeBackends.Kind.LOCAL);
        assertThat(judging.engineSettings()).isEqualTo(ScoringEngine.Settings.defaults());
        assertThat(judging.traceDecoder()).isInstanceOf(JsonTraceDecoder.class);
        assertThat(defaults().judging().backend()).isEqualTo(judging.backend());
    }

    @Test
    void llmSettingsGivenOnlyTheEndpointAndModelAreTheLlmDefaults() {
        Map<String, String> props = new HashMap<>();
        props.put(ServiceConfig.JUDGE_BACKEND_CONFIG, JudgeBackends.Kind.LLM.configValue());
        props.put(ServiceConfig.LLM_BASE_URL_CONFIG, "http://judge:8000/v1");
        props.put(ServiceConfig.LLM_MODEL_CONFIG, "judge-model");
        props.put(ServiceConfig.LLM_API_KEY_ENV_CONFIG, "");

        assertThat(new JudgingConfig(props).llmSettings())
                .isEqualTo(LlmSettings.of("http://judge:8000/v1", "judge-model", null, LlmSettings.DEFAULT_TIMEOUT));
    }

    @Test
    void theLlmBackendWithoutItsEndpointFailsTheCheckNamingTheKey() {
        JudgingConfig judging = new JudgingConfig(Map.of(ServiceConfig.JUDGE_BACKEND_CONFIG, "llm"));

        assertThatThrownBy(() -> JudgeBackends.check(judging)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(ServiceConfig.LLM_BASE_URL_CONFIG);
    }
}
