package dev.tracemonitor.judges;

import dev.tracemonitor.judges.local.LocalJudgeBackend;
import dev.tracemonitor.judges.local.LocalJudgeSettings;
import dev.tracemonitor.service.ServiceConfig;
import org.apache.kafka.common.config.ConfigException;

/** Chooses the judge backend named by {@code trace-monitor.judge.backend}. */
public final class JudgeBackends {

    private JudgeBackends() {
    }

    /** Fails fast, naming the key, when the configured backend cannot be made. */
    public static void check(ServiceConfig config) {
        String name = config.getString(ServiceConfig.JUDGE_BACKEND);
        if (!"local".equals(name)) {
            throw new ConfigException(ServiceConfig.JUDGE_BACKEND, name,
                    "only the local backend is available in this build; the llm backend is not implemented yet");
        }
    }

    public static JudgeBackend create(ServiceConfig config) {
        return create(config.getString(ServiceConfig.JUDGE_BACKEND));
    }

    public static JudgeBackend create(String name) {
        if ("local".equals(name)) {
            return new LocalJudgeBackend(LocalJudgeSettings.defaults());
        }
        throw new ConfigException(ServiceConfig.JUDGE_BACKEND, name, "unknown or unavailable judge backend");
    }
}
