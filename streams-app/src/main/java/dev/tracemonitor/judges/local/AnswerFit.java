package dev.tracemonitor.judges.local;

import java.util.List;
import java.util.Optional;

/**
 * Whether a text on the request's topic also fits the request, the checks relevance_to_query and chunk_relevance share
 * beside embedding similarity: it offers the {@link ExpectedAnswer kind of answer} asked for, and it does not answer
 * an {@link OtherQuestion other question} on the same thing.
 *
 * @param check  which check failed: {@code expected_answer}, {@code other_task} or {@code other_code}
 * @param reason why, in words, quoting what was asked and what the text offers instead
 */
record AnswerFit(String check, String reason) {

    /** The first check the text fails, or empty when it fits; a passage is not held to the kinds it cannot offer. */
    static Optional<AnswerFit> misfit(String request, String text, boolean passage) {
        List<String> sentences = Sentences.split(text);
        Optional<ExpectedAnswer> expected = ExpectedAnswer.of(request);
        if (expected.isPresent() && (!passage || expected.get().appliesToPassages())
                && !expected.get().offeredBy(request, text, sentences)) {
            return Optional.of(new AnswerFit("expected_answer", "the request asks for " + expected.get().description()
                    + " and the text offers none"));
        }
        Optional<String> task = OtherQuestion.otherTask(request, sentences);
        if (task.isPresent()) {
            return Optional.of(new AnswerFit("other_task", "the text opens with another task than the one asked: "
                    + Texts.quote(task.get(), 80)));
        }
        return OtherQuestion.otherCode(request, text)
                .map(code -> new AnswerFit("other_code", "the text explains " + code + ", not what the request names"));
    }
}
