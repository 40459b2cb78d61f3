package dev.tracemonitor.judges.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import java.util.List;
import java.util.Map;

/**
 * relevance_to_query without a language model: does the response talk about what the request asked? Measured as the
 * cosine similarity of the two texts' sentence embeddings (each read up to the model's 128-wordpiece window).
 */
final class RelevanceToQueryJudge implements ApplicableJudge {

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
        List<Embedding> embeddings = embedder.embed(
                List.of(windows.head(inputs.request()), windows.head(inputs.response())));
        double similarity = SentenceEmbedder.similarity(embeddings.get(0), embeddings.get(1));
        boolean relevant = similarity >= threshold;
        String rationale = "The cosine similarity of the request and response embeddings (all-MiniLM-L6-v2) is "
                + Texts.similarity(similarity) + (relevant ? ", at or above" : ", below") + " the threshold "
                + Texts.similarity(threshold) + ": the response is "
                + (relevant ? "relevant to the request." : "not relevant to the request.");
        return JudgeOutcome.of(new Verdict(name(), null, relevant ? "yes" : "no", null, rationale,
                Map.of("similarity", Texts.number(similarity), "threshold", Texts.number(threshold))));
    }
}
