package dev.tracemonitor.judges;

import dev.tracemonitor.judges.llm.LlmJudgeBackend;
import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.judges.local.LocalJudgeBackend;
import dev.tracemonitor.judges.local.LocalJudgeSettings;
import dev.tracemonitor.service.ServiceConfig;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigException;

/** Chooses the judge backend named by {@code trace-monitor.judge.backend}. */
public final class JudgeBackends {

    private JudgeBackends() {
    }

    /** Fails fast, naming the key, when the configured backend cannot be made. */
    public static void check(ServiceConfig config) {
        if ("llm".equals(config.getString(ServiceConfig.JUDGE_BACKEND))) {
            llmSettings(config);
        }
    }

    public static JudgeBackend create(ServiceConfig config) {
        String name = config.getString(ServiceConfig.JUDGE_BACKEND);
        return "llm".equals(name) ? new LlmJudgeBackend(llmSettings(config)) : create(name);
    }

    /** The local backend by name (the llm backend needs its settings: use {@link #create(ServiceConfig)}). */
    public static JudgeBackend create(String name) {
        if ("local".equals(name)) {
            return new LocalJudgeBackend(LocalJudgeSettings.defaults());
        }
        throw new ConfigException(ServiceConfig.JUDGE_BACKEND, name, "unknown judge backend");
    }

    static LlmSettings llmSettings(ServiceConfig config) {
        String baseUrl = config.getString(ServiceConfig.LLM_BASE_URL);
        String model = config.getString(ServiceConfig.LLM_MODEL);
        if (baseUrl.isBlank()) {
            throw new ConfigException(ServiceConfig.LLM_BASE_URL, baseUrl, "required when the judge backend is llm");
        }
        if (model.isBlank()) {
            throw new ConfigException(ServiceConfig.LLM_MODEL, model, "required when the judge backend is llm");
        }
        String keyFile = config.getString(ServiceConfig.LLM_API_KEY_FILE);
        String keyEnv = keyFile.isBlank() ? config.getString(ServiceConfig.LLM_API_KEY_ENV) : null;
        try {
            return LlmSettings.fromConfig(baseUrl, model, keyEnv == null || keyEnv.isBlank() ? null : keyEnv,
                    keyFile.isBlank() ? null : keyFile, Duration.parse(config.getString(ServiceConfig.LLM_TIMEOUT)));
        } catch (RuntimeException e) {
            String key = keyFile.isBlank() ? ServiceConfig.LLM_API_KEY_ENV : ServiceConfig.LLM_API_KEY_FILE;
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }
}
