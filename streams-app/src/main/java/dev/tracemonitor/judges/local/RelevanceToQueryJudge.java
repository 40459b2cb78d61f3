package dev.tracemonitor.judges.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * relevance_to_query without a language model: does the response answer what the request asked? It must be close to
 * the request (cosine similarity of the two texts' sentence embeddings, each read up to the model's 128-wordpiece
 * window, at least the threshold) and fit it ({@link AnswerFit}): offer the kind of answer asked for (a price for "how
 * much does it cost", instructions for "how do I", a yes or no for a yes/no question, …) and not answer another
 * question on the same thing. Nor may it be closer to the words it shares with the request ("northern lights") than to
 * the request itself ("What causes the northern lights?"): then it is about the topic, not the question, unless it
 * gives the value asked for (the price, duration, time or number: "about six minutes" for "how long should I boil an
 * egg"). The rationale names the check that failed.
 */
final class RelevanceToQueryJudge implements ApplicableJudge {

    /**
     * A response at least this much closer to the request's words it shares than to the whole request is about the
     * shared topic only (calibrated on the dev split of judge-eval: on-topic answers stay below 0.01, answers about
     * the topic only start at 0.06).
     */
    static final double TOPIC_MARGIN = 0.035;

    private final SentenceEmbedder embedder;
    private final double threshold;

    RelevanceToQueryJudge(SentenceEmbedder embedder, double threshold) {
        this.embedder = embedder;
        this.threshold = threshold;
    }

    @Override
    public AssessmentSource source() {
        return LocalJudgeBackend.source(name());
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.RELEVANCE_TO_QUERY;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) {
        TextWindows windows = embedder.windows();
        Optional<String> shared = OtherQuestion.sharedTopic(inputs.request(), inputs.response());
        List<String> texts = new ArrayList<>(List.of(windows.head(inputs.request()), windows.head(inputs.response())));
        shared.ifPresent(texts::add);
        List<Embedding> embeddings = embedder.embed(texts);
        double similarity = SentenceEmbedder.similarity(embeddings.get(0), embeddings.get(1));
        Map<String, String> metadata = new HashMap<>();
        metadata.put("similarity", Texts.number(similarity));
        metadata.put("threshold", Texts.number(threshold));
        ExpectedAnswer.of(inputs.request()).ifPresent(kind -> metadata.put("expected_answer", kind.id()));
        String measured = "The cosine similarity of the request and response embeddings (all-MiniLM-L6-v2) is "
                + Texts.similarity(similarity);
        if (similarity < threshold) {
            return verdict(false, measured + ", below the threshold " + Texts.similarity(threshold)
                    + ": the response is not relevant to the request.", metadata);
        }
        Optional<AnswerFit> misfit = AnswerFit.misfit(inputs.request(), inputs.response(), false);
        if (misfit.isPresent()) {
            metadata.put("failed_check", misfit.get().check());
            return verdict(false, measured + ", at or above the threshold " + Texts.similarity(threshold)
                    + ", but " + misfit.get().reason() + ": the response is on the topic without answering the "
                    + "request, so it is not relevant to it.", metadata);
        }
        Optional<ExpectedAnswer> expected = ExpectedAnswer.of(inputs.request());
        if (shared.isPresent() && !expected.map(ExpectedAnswer::isValue).orElse(false)) {
            double topic = SentenceEmbedder.similarity(embeddings.get(2), embeddings.get(1));
            metadata.put("shared_topic_similarity", Texts.number(topic));
            if (topic - similarity >= TOPIC_MARGIN) {
                metadata.put("failed_check", "shared_topic_only");
                return verdict(false, measured + ", but the response is closer (" + Texts.similarity(topic)
                        + ") to the words it shares with the request, " + Texts.quote(shared.get(), 60)
                        + ", than to the request: it is about that topic without answering what was asked, so it is "
                        + "not relevant to the request.", metadata);
            }
        }
        return verdict(true, measured + ", at or above the threshold " + Texts.similarity(threshold)
                + (metadata.containsKey("expected_answer") ? ", and it offers the kind of answer asked for" : "")
                + ": the response is relevant to the request.", metadata);
    }

    private JudgeOutcome verdict(boolean relevant, String rationale, Map<String, String> metadata) {
        return JudgeOutcome.of(new Verdict(name(), null, relevant ? "yes" : "no", null, rationale, metadata));
    }
}
