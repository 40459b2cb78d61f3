package dev.tracemonitor.service;

import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.llm.LlmJudgeBackend;
import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.judges.local.LocalJudgeBackend;
import dev.tracemonitor.judges.local.LocalJudgeSettings;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigException;

/** Chooses the judge backend named by {@code trace-monitor.judge.backend}. */
public final class JudgeBackends {

    private JudgeBackends() {
    }

    /** Fails fast, naming the key, when the configured backend cannot be made. */
    public static void check(ServiceConfig config) {
        if ("llm".equals(config.getString(ServiceConfig.JUDGE_BACKEND_CONFIG))) {
            llmSettings(config);
        }
    }

    public static JudgeBackend create(ServiceConfig config) {
        String name = config.getString(ServiceConfig.JUDGE_BACKEND_CONFIG);
        return "llm".equals(name) ? new LlmJudgeBackend(llmSettings(config)) : create(name);
    }

    /** The local backend by name (the llm backend needs its settings: use {@link #create(ServiceConfig)}). */
    public static JudgeBackend create(String name) {
        if ("local".equals(name)) {
            return new LocalJudgeBackend(LocalJudgeSettings.defaults());
        }
        throw new ConfigException(ServiceConfig.JUDGE_BACKEND_CONFIG, name, "unknown judge backend");
    }

    static LlmSettings llmSettings(ServiceConfig config) {
        String baseUrl = config.getString(ServiceConfig.LLM_BASE_URL_CONFIG);
        String model = config.getString(ServiceConfig.LLM_MODEL_CONFIG);
        if (baseUrl.isBlank()) {
            throw new ConfigException(ServiceConfig.LLM_BASE_URL_CONFIG, baseUrl, "required when the judge backend is llm");
        }
        if (model.isBlank()) {
            throw new ConfigException(ServiceConfig.LLM_MODEL_CONFIG, model, "required when the judge backend is llm");
        }
        String keyFile = config.getString(ServiceConfig.LLM_API_KEY_FILE_CONFIG);
        String keyEnv = keyFile.isBlank() ? config.getString(ServiceConfig.LLM_API_KEY_ENV_CONFIG) : null;
        try {
            return LlmSettings.fromConfig(baseUrl, model, keyEnv == null || keyEnv.isBlank() ? null : keyEnv,
                    keyFile.isBlank() ? null : keyFile, Duration.parse(config.getString(ServiceConfig.LLM_TIMEOUT_CONFIG)));
        } catch (RuntimeException e) {
            String key = keyFile.isBlank() ? ServiceConfig.LLM_API_KEY_ENV_CONFIG : ServiceConfig.LLM_API_KEY_FILE_CONFIG;
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }
}
