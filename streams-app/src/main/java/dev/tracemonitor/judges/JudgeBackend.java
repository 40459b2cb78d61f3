package dev.tracemonitor.judges;

import dev.tracemonitor.judges.template.JudgeTemplate;
import java.util.List;

/**
 * Makes judges: the {@code local} backend (offline embeddings and rules) or the {@code llm} backend (an
 * OpenAI-compatible endpoint). One backend serves every monitor of a service instance; a monitor's judge may name the
 * model it wants ({@code model}), null meaning the backend's default.
 */
public interface JudgeBackend extends AutoCloseable {

    /** A builtin judge, asking {@code model} (null: the default). */
    Judge builtin(BuiltinJudge judge, String model);

    /** A guidelines judge: "yes" only if the response follows every text; {@code model} as for builtins. */
    Judge guidelines(String name, List<String> guidelines, String model);

    /** A template judge a monitor declares: its instructions, over the trace's text, give a verdict of its type. */
    Judge template(JudgeTemplate template, String model);

    default Judge builtin(BuiltinJudge judge) {
        return builtin(judge, null);
    }

    default Judge guidelines(String name, List<String> guidelines) {
        return guidelines(name, guidelines, null);
    }

    @Override
    default void close() {
    }
}
