package dev.tracemonitor.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A monitor, as published to the compacted {@code monitor-config} topic: which experiment, where its table lives
 * ({@code <warehouse>/<catalog_name>/<schema_name>/trace_logs_<experiment_id>}) and which judges run at which rates.
 * Mirrors Databricks' {@code create_external_monitor(... assessments_config=AssessmentsSuiteConfig(...))}; the
 * optional {@code filter} limits which traces are judged (all are written to the table), the optional
 * {@code alerts} post to a webhook when a judge's pass rate drops, and the optional {@code budget} caps judging.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MonitorConfig(
        @JsonProperty("experiment_id") String experimentId,
        @JsonProperty("catalog_name") String catalogName,
        @JsonProperty("schema_name") String schemaName,
        @JsonProperty("assessments_config") AssessmentsConfig assessmentsConfig,
        @JsonProperty("filter") String filter,
        @JsonProperty("alerts") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<AlertRule> alerts,
        @JsonProperty("budget") JudgeBudget budget) {

    public MonitorConfig {
        alerts = alerts == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(alerts));
    }

    public MonitorConfig(String experimentId, String catalogName, String schemaName, AssessmentsConfig assessmentsConfig,
                         String filter, List<AlertRule> alerts) {
        this(experimentId, catalogName, schemaName, assessmentsConfig, filter, alerts, null);
    }

    public MonitorConfig(String experimentId, String catalogName, String schemaName, AssessmentsConfig assessmentsConfig,
                         String filter) {
        this(experimentId, catalogName, schemaName, assessmentsConfig, filter, null);
    }

    public MonitorConfig(String experimentId, String catalogName, String schemaName, AssessmentsConfig assessmentsConfig) {
        this(experimentId, catalogName, schemaName, assessmentsConfig, null);
    }

    /** The sampling default and the judges. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AssessmentsConfig(
            @JsonProperty("sample") Double sample,
            @JsonProperty("assessments") List<JudgeConfig> assessments) {
        public AssessmentsConfig {
            assessments = assessments == null ? List.of() : List.copyOf(assessments);
        }
    }

    /**
     * A builtin judge ({@code name}), a guidelines judge ({@code guidelines}: name → texts), a template judge
     * ({@code name} with {@code instructions} and {@code feedback_value_type}, as MLflow's {@code make_judge}) or a code
     * scorer ({@code scorer}: the name of a plugin scorer, which is also its Assessments' name), with an
     * optional own rate and an optional {@code model} that overrides the service's default judge model, as MLflow's
     * scorers take {@code model=}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JudgeConfig(
            @JsonProperty("name") String name,
            @JsonProperty("guidelines") Map<String, List<String>> guidelines,
            @JsonProperty("sample_rate") Double sampleRate,
            @JsonProperty("model") String model,
            @JsonProperty("instructions") String instructions,
            @JsonProperty("feedback_value_type") String feedbackValueType,
            @JsonProperty("min_value") Double minValue,
            @JsonProperty("max_value") Double maxValue,
            @JsonProperty("categories") List<String> categories,
            @JsonProperty("scorer") String scorer) {

        public JudgeConfig(String name, Map<String, List<String>> guidelines, Double sampleRate, String model,
                           String instructions, String feedbackValueType, Double minValue, Double maxValue,
                           List<String> categories) {
            this(name, guidelines, sampleRate, model, instructions, feedbackValueType, minValue, maxValue, categories,
                    null);
        }

        public JudgeConfig(String name, Map<String, List<String>> guidelines, Double sampleRate, String model) {
            this(name, guidelines, sampleRate, model, null, null, null, null, null);
        }

        public JudgeConfig(String name, Map<String, List<String>> guidelines, Double sampleRate) {
            this(name, guidelines, sampleRate, null);
        }

        public static JudgeConfig builtin(String name, Double sampleRate) {
            return new JudgeConfig(name, null, sampleRate, null);
        }

        /** A code scorer entry: {@code {"scorer": "pii_leak", "sample_rate": 1.0}}. */
        public static JudgeConfig scorer(String scorer, Double sampleRate) {
            return new JudgeConfig(null, null, sampleRate, null, null, null, null, null, null, scorer);
        }

        public JudgeConfig withModel(String value) {
            return new JudgeConfig(name, guidelines, sampleRate, value, instructions, feedbackValueType, minValue,
                    maxValue, categories, scorer);
        }

        public JudgeConfig withName(String value) {
            return new JudgeConfig(value, guidelines, sampleRate, model, instructions, feedbackValueType, minValue,
                    maxValue, categories, scorer);
        }

        /** Whether this entry declares a template judge (any template field given), to be validated as one. */
        @JsonIgnore
        public boolean isTemplate() {
            return instructions != null || feedbackValueType != null || minValue != null || maxValue != null
                    || categories != null;
        }

        public boolean isGuidelines() {
            return guidelines != null;
        }

        /** Whether this entry names a code scorer (validated as one: no other judge's fields). */
        public boolean isScorer() {
            return scorer != null;
        }
    }

    /** The table directory name for this monitor's traces. */
    public String tableName() {
        return "trace_logs_" + experimentId;
    }

    public double defaultSample() {
        Double sample = assessmentsConfig == null ? null : assessmentsConfig.sample();
        return sample == null ? 1.0 : sample;
    }

    public List<JudgeConfig> judges() {
        return assessmentsConfig == null ? List.of() : assessmentsConfig.assessments();
    }
}
