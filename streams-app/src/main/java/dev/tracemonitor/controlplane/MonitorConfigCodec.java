package dev.tracemonitor.controlplane;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tracemonitor.filter.InvalidFilterException;
import dev.tracemonitor.filter.TraceFilter;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.template.InvalidTemplateException;
import dev.tracemonitor.judges.template.JudgeTemplate;
import dev.tracemonitor.model.AlertRule;
import dev.tracemonitor.model.JudgeBudget;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.serde.StrictUtf8;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Parses and validates monitor configs as published on {@code monitor-config}: unknown fields, unknown judge names,
 * rates outside [0, 1], unsafe catalog/schema names, empty guidelines and judge model names that are blank, too long or
 * not printable are rejected with a precise reason, and so are alerts that name no judge of the monitor or carry a bad
 * rate, count, window or webhook, and template judges (instructions with MLflow
 * {@code make_judge} variables and a {@code feedback_value_type}) that {@link JudgeTemplate} refuses.
 */
public final class MonitorConfigCodec {

    public static final int MAX_CONFIG_BYTES = 256 * 1024;
    public static final int MAX_MODEL_CHARS = 200;
    public static final int MAX_ALERTS = 32;
    private static final Duration MIN_ALERT_WINDOW = Duration.ofSeconds(1);
    private static final Duration MAX_ALERT_WINDOW = Duration.ofDays(1);
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}");
    private static final Pattern SAFE_EXPERIMENT_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /**
     * Unambiguous JSON only: no unknown field, nothing after the object, no key twice, no number given as a string or
     * string given as a number (each of which some tool would read differently).
     */
    private static final ObjectMapper STRICT = strictMapper();

    private MonitorConfigCodec() {
    }

    private static ObjectMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .build();
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        for (LogicalType numeric : new LogicalType[] {LogicalType.Float, LogicalType.Integer}) {
            mapper.coercionConfigFor(numeric).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        return mapper;
    }

    public static byte[] encode(MonitorConfig config) {
        try {
            return STRICT.writeValueAsBytes(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode monitor config", e);
        }
    }

    public static String toPrettyJson(MonitorConfig config) {
        try {
            return STRICT.writerWithDefaultPrettyPrinter().writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode monitor config", e);
        }
    }

    /** Parses and validates; {@code key} is the record key, which must equal {@code experiment_id} when given. */
    public static MonitorConfig decode(String key, byte[] bytes) {
        if (bytes.length > MAX_CONFIG_BYTES) {
            throw new InvalidMonitorConfigException("config is " + bytes.length + " bytes, more than the limit of "
                    + MAX_CONFIG_BYTES);
        }
        StrictUtf8.require(bytes, InvalidMonitorConfigException::new);
        MonitorConfig config;
        try {
            config = STRICT.readValue(bytes, MonitorConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidMonitorConfigException("unknown field \"" + e.getPropertyName() + "\"");
        } catch (MismatchedInputException e) {
            throw new InvalidMonitorConfigException("not a valid monitor config JSON: field " + path(e) + ": "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
            throw new InvalidMonitorConfigException("not a valid monitor config JSON: " + message);
        } catch (IOException e) {
            String message = e.toString();
            throw new InvalidMonitorConfigException("not a valid monitor config JSON: " + message);
        }
        if (config == null) {
            throw new InvalidMonitorConfigException("config is JSON null");
        }
        config = withWireNames(config);
        validate(key, config);
        return config;
    }

    /**
     * The config with each builtin judge named by its wire name, also when the monitor used the MLflow 3 scorer's
     * ({@code retrieval_groundedness} is {@code groundedness}, {@code retrieval_relevance} is
     * {@code chunk_relevance}): the same judge, sampled on the same traces, its Assessments under one name.
     */
    private static MonitorConfig withWireNames(MonitorConfig config) {
        if (config.assessmentsConfig() == null) {
            return config;
        }
        List<MonitorConfig.JudgeConfig> judges = config.judges().stream()
                .map(judge -> judge == null || judge.name() == null || judge.isTemplate() ? judge
                        : BuiltinJudge.named(judge.name()).map(builtin -> judge.withName(builtin.wireName()))
                        .orElse(judge))
                .toList();
        return new MonitorConfig(config.experimentId(), config.catalogName(), config.schemaName(),
                new MonitorConfig.AssessmentsConfig(config.assessmentsConfig().sample(), judges), config.filter(),
                config.alerts(), config.budget());
    }

    /** The field a mapping error is at, as {@code assessments_config.assessments[0].sample_rate}. */
    private static String path(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(top level)" : path.toString();
    }

    public static void validate(String key, MonitorConfig config) {
        require(config.experimentId() != null && !config.experimentId().isBlank(), "experiment_id is required");
        require(SAFE_EXPERIMENT_ID.matcher(config.experimentId()).matches(),
                "experiment_id must match " + SAFE_EXPERIMENT_ID.pattern());
        require(key == null || key.equals(config.experimentId()),
                "record key \"" + key + "\" differs from experiment_id \"" + config.experimentId() + "\"");
        require(config.catalogName() != null, "catalog_name is required");
        require(SAFE_NAME.matcher(config.catalogName()).matches(),
                "catalog_name must match " + SAFE_NAME.pattern() + " (it is a directory name)");
        require(config.schemaName() != null, "schema_name is required");
        require(SAFE_NAME.matcher(config.schemaName()).matches(),
                "schema_name must match " + SAFE_NAME.pattern() + " (it is a directory name)");
        require(config.assessmentsConfig() != null, "assessments_config is required");
        if (config.filter() != null) {
            require(config.filter().length() <= 4000, "filter is longer than 4000 characters");
            try {
                TraceFilter.compile(config.filter());
            } catch (InvalidFilterException e) {
                throw new InvalidMonitorConfigException(e.getMessage());
            }
        }
        Double sample = config.assessmentsConfig().sample();
        require(sample == null || (sample >= 0.0 && sample <= 1.0), "assessments_config.sample must be within [0, 1]");
        List<MonitorConfig.JudgeConfig> judges = config.judges();
        require(judges.size() <= 64, "at most 64 assessments per monitor");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < judges.size(); i++) {
            MonitorConfig.JudgeConfig judge = judges.get(i);
            String where = "assessments[" + i + "]";
            require(judge != null, where + " is null");
            require(judge.sampleRate() == null || (judge.sampleRate() >= 0.0 && judge.sampleRate() <= 1.0),
                    where + ".sample_rate must be within [0, 1]");
            if (judge.model() != null) {
                validateModel(where + ".model", judge.model());
            }
            if (judge.isScorer()) {
                validateScorer(where, judge);
                require(names.add(judge.scorer()), "judge \"" + judge.scorer() + "\" appears twice");
                continue;
            }
            if (judge.isTemplate()) {
                validateTemplate(where, judge);
                require(names.add(judge.name()), "judge \"" + judge.name() + "\" appears twice");
                continue;
            }
            require(judge.name() == null ^ judge.guidelines() == null,
                    where + " must have exactly one of \"name\" (a builtin judge) or \"guidelines\"");
            if (judge.name() != null) {
                require(BuiltinJudge.NAMES.contains(judge.name()),
                        where + ".name \"" + judge.name() + "\" is not a builtin judge " + BuiltinJudge.NAMES);
                require(names.add(judge.name()), "judge \"" + judge.name() + "\" appears twice");
            } else {
                require(!judge.guidelines().isEmpty(), where + ".guidelines is empty");
                for (Map.Entry<String, List<String>> g : judge.guidelines().entrySet()) {
                    require(SAFE_NAME.matcher(g.getKey()).matches(),
                            where + ".guidelines name \"" + g.getKey() + "\" must match " + SAFE_NAME.pattern());
                    require(!BuiltinJudge.NAMES.contains(g.getKey()),
                            "guideline name \"" + g.getKey() + "\" clashes with a builtin judge");
                    require(names.add(g.getKey()), "judge \"" + g.getKey() + "\" appears twice");
                    require(g.getValue() != null && !g.getValue().isEmpty(),
                            "guideline \"" + g.getKey() + "\" needs at least one text");
                    for (String text : g.getValue()) {
                        require(text != null && !text.isBlank(), "guideline \"" + g.getKey() + "\" has an empty text");
                        require(text.length() <= 4000, "guideline \"" + g.getKey() + "\" has a text over 4000 characters");
                    }
                }
            }
        }
        validateAlerts(config.alerts(), names);
        validateBudget(config.budget());
    }

    /** A budget names at least one limit, each a whole number of at least 1. */
    private static void validateBudget(JudgeBudget budget) {
        if (budget == null) {
            return;
        }
        require(budget.maxCallsPerHour() != null || budget.maxTokensPerDay() != null,
                "budget needs max_calls_per_hour, max_tokens_per_day or both");
        require(budget.maxCallsPerHour() == null || budget.maxCallsPerHour() >= 1,
                "budget.max_calls_per_hour must be at least 1");
        require(budget.maxTokensPerDay() == null || budget.maxTokensPerDay() >= 1,
                "budget.max_tokens_per_day must be at least 1");
    }

    /** Each alert names one of the monitor's judges, a rate in [0, 1], a window, a count and an http(s) webhook. */
    private static void validateAlerts(List<AlertRule> alerts, Set<String> judges) {
        require(alerts.size() <= MAX_ALERTS, "at most " + MAX_ALERTS + " alerts per monitor");
        for (int i = 0; i < alerts.size(); i++) {
            AlertRule alert = alerts.get(i);
            String where = "alerts[" + i + "]";
            require(alert != null, where + " is null");
            require(alert.judge() != null, where + ".judge is required");
            require(judges.contains(alert.judge()),
                    where + ".judge \"" + alert.judge() + "\" is not a judge of this monitor " + new TreeSet<>(judges));
            require(alert.minPassRate() != null && alert.minPassRate() >= 0.0 && alert.minPassRate() <= 1.0,
                    where + ".min_pass_rate must be within [0, 1]");
            require(alert.minCount() != null && alert.minCount() >= 1, where + ".min_count must be at least 1");
            require(alert.window() != null, where + ".window is required (an ISO-8601 duration such as PT15M)");
            Duration window;
            try {
                window = alert.windowDuration();
            } catch (DateTimeParseException e) {
                throw new InvalidMonitorConfigException(where + ".window \"" + alert.window()
                        + "\" is not an ISO-8601 duration such as PT15M");
            }
            require(window.compareTo(MIN_ALERT_WINDOW) >= 0 && window.compareTo(MAX_ALERT_WINDOW) <= 0,
                    where + ".window must be between " + MIN_ALERT_WINDOW + " and " + MAX_ALERT_WINDOW);
            require(Duration.ofDays(1).toMillis() % window.toMillis() == 0,
                    where + ".window must divide a day (PT1M, PT5M, PT15M, PT1H, ...), so windows align to the clock");
            require(alert.webhook() != null, where + ".webhook is required");
            URI webhook;
            try {
                webhook = new URI(alert.webhook());
            } catch (URISyntaxException e) {
                throw new InvalidMonitorConfigException(where + ".webhook is not a URL: " + e.getMessage());
            }
            require(("http".equals(webhook.getScheme()) || "https".equals(webhook.getScheme()))
                    && webhook.getHost() != null, where + ".webhook must be an http or https URL with a host");
        }
    }

    /**
     * A template judge: {@code name}, {@code instructions} and {@code feedback_value_type} as {@link JudgeTemplate}
     * checks them, no {@code guidelines}.
     */
    private static void validateTemplate(String where, MonitorConfig.JudgeConfig judge) {
        require(judge.guidelines() == null, where + " has both \"guidelines\" and \"instructions\"");
        try {
            JudgeTemplate.of(where, judge);
        } catch (InvalidTemplateException e) {
            throw new InvalidMonitorConfigException(e.getMessage());
        }
    }

    /**
     * A code scorer: {@code scorer} names a plugin scorer, which is also its Assessments' name, so it follows the judge
     * name rule and is not a builtin's; the entry has no other judge's fields. Whether a plugin of that name is loaded
     * is known only to each service instance: one that has none records {@code SCORER_NOT_FOUND} Assessments.
     */
    private static void validateScorer(String where, MonitorConfig.JudgeConfig judge) {
        String scorer = judge.scorer();
        require(SAFE_NAME.matcher(scorer).matches(),
                where + ".scorer \"" + scorer + "\" must match " + SAFE_NAME.pattern());
        require(BuiltinJudge.named(scorer).isEmpty(),
                where + ".scorer \"" + scorer + "\" is the name of a builtin judge");
        List<String> others = new ArrayList<>();
        if (judge.name() != null) {
            others.add("name");
        }
        if (judge.guidelines() != null) {
            others.add("guidelines");
        }
        if (judge.model() != null) {
            others.add("model");
        }
        if (judge.instructions() != null) {
            others.add("instructions");
        }
        if (judge.feedbackValueType() != null) {
            others.add("feedback_value_type");
        }
        if (judge.minValue() != null) {
            others.add("min_value");
        }
        if (judge.maxValue() != null) {
            others.add("max_value");
        }
        if (judge.categories() != null) {
            others.add("categories");
        }
        require(others.isEmpty(), where + " has \"scorer\" and " + others.stream().map(f -> "\"" + f + "\"").toList()
                + "; a scorer entry has only \"scorer\" and \"sample_rate\" (its Assessments are named after the"
                + " scorer, and it asks no model)");
    }

    /** A model name goes into the request body and the Assessment's source: one visible line of bounded length. */
    private static void validateModel(String where, String model) {
        require(!model.isBlank(), where + " must not be blank");
        require(model.length() <= MAX_MODEL_CHARS, where + " is longer than " + MAX_MODEL_CHARS + " characters");
        require(model.strip().equals(model), where + " must not start or end with whitespace");
        for (int i = 0; i < model.length(); ) {
            int c = model.codePointAt(i);
            require(printable(c), String.format("%s has a non-printable character U+%04X at index %d", where, c, i));
            i += Character.charCount(c);
        }
    }

    private static boolean printable(int codePoint) {
        if (Character.isISOControl(codePoint)) {
            return false;
        }
        return switch (Character.getType(codePoint)) {
            case Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SURROGATE,
                 Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            default -> true;
        };
    }

    private static void require(boolean condition, String reason) {
        if (!condition) {
            throw new InvalidMonitorConfigException(reason);
        }
    }
}
