package dev.tracemonitor.service;

import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.llm.LlmJudgeBackend;
import dev.tracemonitor.judges.local.LocalJudgeBackend;
import dev.tracemonitor.judges.local.LocalJudgeSettings;
import java.util.Arrays;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/** Makes the judge backend named by {@code trace-monitor.judge.backend}. */
public final class JudgeBackends {

    /** The backends, by their configuration value. */
    public enum Kind {
        /** Offline embeddings and rules. */
        LOCAL,
        /** An OpenAI-compatible endpoint. */
        LLM;

        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        static String[] configValues() {
            return Arrays.stream(values()).map(Kind::configValue).toArray(String[]::new);
        }

        static Kind of(String configValue) {
            return valueOf(configValue.toUpperCase(Locale.ROOT));
        }
    }

    private JudgeBackends() {
    }

    /** Fails fast, with a {@link ConfigException} naming the key, when the configured backend cannot be made. */
    public static void check(JudgingConfig config) {
        if (config.backend() == Kind.LLM) {
            config.llmSettings();
        }
    }

    public static JudgeBackend create(ServiceConfig config) {
        return create(config.judging());
    }

    public static JudgeBackend create(JudgingConfig config) {
        return switch (config.backend()) {
            case LOCAL -> new LocalJudgeBackend(LocalJudgeSettings.defaults());
            case LLM -> new LlmJudgeBackend(config.llmSettings(), config.endpointLimits());
        };
    }
}
