package dev.tracemonitor.service;

import dev.tracemonitor.judges.llm.EndpointLimits;
import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.judges.llm.ModelPrices;
import dev.tracemonitor.scorers.ScorerSettings;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.TraceDecoder;
import dev.tracemonitor.serde.TraceFormats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * The service settings that decode and judge traces: the judge backend and its endpoint, the scoring engine's limits,
 * the format of the traces topic. They need no Kafka setting, so {@code trace-monitor evaluate} reads them alone and
 * judges with exactly what the service would use. The keys are declared in {@link ServiceConfig}; other keys in the
 * given settings (such as {@code schema.registry.url}) are kept for the decoder.
 */
public final class JudgingConfig extends AbstractConfig {

    public JudgingConfig(Map<?, ?> props) {
        super(ServiceConfig.JUDGING, props, false);
    }

    public JudgeBackends.Kind backend() {
        return JudgeBackends.Kind.of(getString(ServiceConfig.JUDGE_BACKEND_CONFIG));
    }

    /** The engine's limits; the backoffs are the engine's own defaults, not settings. */
    public ScoringEngine.Settings engineSettings() {
        return new ScoringEngine.Settings(getInt(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG),
                getInt(ServiceConfig.JUDGE_MAX_ATTEMPTS_CONFIG), ScoringEngine.Settings.DEFAULT_INITIAL_BACKOFF,
                ScoringEngine.Settings.DEFAULT_MAX_BACKOFF, getInt(ServiceConfig.JUDGE_MAX_IN_MEMORY_CONFIG),
                Duration.parse(getString(ServiceConfig.JUDGE_OUTAGE_BUDGET_CONFIG)));
    }

    /** How hard the llm backend may use its endpoint; the breaker's open wait is its default, not a setting. */
    public EndpointLimits endpointLimits() {
        return EndpointLimits.defaults().withCallsPerSecond(getDouble(ServiceConfig.JUDGE_RATE_LIMIT_CONFIG));
    }

    /**
     * The LLM backend's endpoint, model, key and timeout; a {@link ConfigException} naming the key when one is missing
     * or the key cannot be read.
     */
    public LlmSettings llmSettings() {
        String baseUrl = getString(ServiceConfig.LLM_BASE_URL_CONFIG);
        String model = getString(ServiceConfig.LLM_MODEL_CONFIG);
        if (baseUrl.isBlank()) {
            throw new ConfigException(ServiceConfig.LLM_BASE_URL_CONFIG, baseUrl, "required when the judge backend is llm");
        }
        if (model.isBlank()) {
            throw new ConfigException(ServiceConfig.LLM_MODEL_CONFIG, model, "required when the judge backend is llm");
        }
        String keyFile = getString(ServiceConfig.LLM_API_KEY_FILE_CONFIG);
        String keyEnv = keyFile.isBlank() ? getString(ServiceConfig.LLM_API_KEY_ENV_CONFIG) : null;
        LlmSettings settings;
        try {
            settings = LlmSettings.fromConfig(baseUrl, model, keyEnv == null || keyEnv.isBlank() ? null : keyEnv,
                    keyFile.isBlank() ? null : keyFile, Duration.parse(getString(ServiceConfig.LLM_TIMEOUT_CONFIG)));
        } catch (RuntimeException e) {
            String key = keyFile.isBlank() ? ServiceConfig.LLM_API_KEY_ENV_CONFIG : ServiceConfig.LLM_API_KEY_FILE_CONFIG;
            throw new ConfigException(key + ": " + e.getMessage());
        }
        return settings.withPrices(modelPrices());
    }

    /** The judge models' prices, {@code trace-monitor.llm.price.<model>.input/output}; a ConfigException names a bad key. */
    public ModelPrices modelPrices() {
        try {
            return ModelPrices.fromSettings(originals());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * The code scorers' plugin directory and per-call timeout; a scorer runs at most as many calls at once as the
     * engine has in flight.
     */
    public ScorerSettings scorerSettings() {
        String dir = getString(ServiceConfig.SCORERS_DIR_CONFIG);
        return new ScorerSettings(dir.isBlank() ? null : Path.of(dir),
                Duration.parse(getString(ServiceConfig.SCORER_TIMEOUT_CONFIG)),
                getInt(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG));
    }

    /** The decoder of the traces topic, in the format of {@value ServiceConfig#FORMAT_TRACES_CONFIG}. */
    public TraceDecoder traceDecoder() {
        return TraceFormats.decoder(getString(ServiceConfig.FORMAT_TRACES_CONFIG), originals());
    }
}
