package dev.tracemonitor.judges;

import java.util.List;

/**
 * Makes judges: the {@code local} backend (offline embeddings and rules) or the {@code llm} backend (an
 * OpenAI-compatible endpoint). One backend serves every monitor of a service instance; a monitor's judge may name the
 * model it wants ({@code model}), null meaning the backend's default.
 */
public interface JudgeBackend extends AutoCloseable {

    /** A builtin judge by name, one of {@link BuiltinJudges#NAMES}, asking {@code model} (null: the default). */
    Judge builtin(String name, String model);

    /** A guidelines judge: "yes" only if the response follows every text; {@code model} as for builtins. */
    Judge guidelines(String name, List<String> guidelines, String model);

    default Judge builtin(String name) {
        return builtin(name, null);
    }

    default Judge guidelines(String name, List<String> guidelines) {
        return guidelines(name, guidelines, null);
    }

    @Override
    default void close() {
    }
}
