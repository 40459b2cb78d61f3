package dev.tracemonitor.judges;

import java.util.List;

/**
 * Makes judges: the {@code local} backend (offline embeddings and rules) or the {@code llm} backend (an
 * OpenAI-compatible endpoint). One backend serves every monitor of a service instance.
 */
public interface JudgeBackend extends AutoCloseable {

    /** A builtin judge by name, one of {@link BuiltinJudges#NAMES}. */
    Judge builtin(String name);

    /** A guidelines judge: "yes" only if the response follows every text. */
    Judge guidelines(String name, List<String> guidelines);

    @Override
    default void close() {
    }
}
