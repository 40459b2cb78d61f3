package dev.tracemonitor.judges.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ChunkSpanIds;
import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.RetrieverCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * chunk_relevance without a language model: is each retrieved chunk about what the request asked? A chunk is relevant
 * when any of its windows (a chunk longer than the model's window is read in consecutive windows, up to
 * {@value #MAX_WINDOWS_PER_CHUNK} of them) has a cosine similarity with the request at or above the threshold and the
 * chunk fits the request ({@link AnswerFit}: it holds the kind of answer asked for, a duration for "how long", an
 * instruction for "how do I", and does not explain another task or code) and is not much closer to the words it
 * shares with the request than to the request (about the topic, not the question). Per top-level retriever span: one verdict per chunk
 * (span id from {@link ChunkSpanIds}) and a {@code chunk_relevance/precision} verdict, relevant chunks / chunks.
 */
final class ChunkRelevanceJudge implements ApplicableJudge {

    static final int MAX_WINDOWS_PER_CHUNK = 16;
    /**
     * How much closer to the request's words it shares than to the whole request a chunk must be to count as about the
     * shared topic only (calibrated on the dev split of judge-eval: relevant chunks reach 0.12, chunks about the topic
     * only start at 0.04 and mostly lie above 0.16).
     */
    static final double TOPIC_MARGIN = 0.14;

    private final SentenceEmbedder embedder;
    private final double threshold;

    ChunkRelevanceJudge(SentenceEmbedder embedder, double threshold) {
        this.embedder = embedder;
        this.threshold = threshold;
    }

    @Override
    public AssessmentSource source() {
        return LocalJudgeBackend.source(name());
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.CHUNK_RELEVANCE;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) {
        List<RetrieverCall> calls = inputs.retrievals();
        TextWindows windows = embedder.windows();
        List<String> texts = new ArrayList<>();
        texts.add(windows.head(inputs.request()));
        Map<RetrievedDocument, List<String>> chunkWindows = new HashMap<>();
        Map<RetrievedDocument, Optional<String>> sharedTopics = new HashMap<>();
        for (RetrieverCall call : calls) {
            for (RetrievedDocument document : call.documents()) {
                List<String> split = Texts.isBlank(document.pageContent()) ? List.of()
                        : windows.split(document.pageContent(), MAX_WINDOWS_PER_CHUNK);
                chunkWindows.put(document, split);
                texts.addAll(split);
                Optional<String> shared = split.isEmpty() ? Optional.empty()
                        : OtherQuestion.sharedTopic(inputs.request(), document.pageContent());
                sharedTopics.put(document, shared);
                shared.ifPresent(texts::add);
            }
        }
        Map<String, Embedding> embeddings = new HashMap<>();
        List<Embedding> embedded = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            embeddings.put(texts.get(i), embedded.get(i));
        }
        Embedding requestEmbedding = embedded.get(0);

        List<Verdict> verdicts = new ArrayList<>();
        for (RetrieverCall call : calls) {
            if (call.documents().isEmpty()) {
                continue;
            }
            int relevant = 0;
            for (int index = 0; index < call.documents().size(); index++) {
                RetrievedDocument document = call.documents().get(index);
                List<String> split = chunkWindows.get(document);
                double best = Double.NEGATIVE_INFINITY;
                for (String window : split) {
                    best = Math.max(best, SentenceEmbedder.similarity(requestEmbedding, embeddings.get(window)));
                }
                Optional<AnswerFit> misfit = !split.isEmpty() && best >= threshold
                        ? AnswerFit.misfit(inputs.request(), document.pageContent(), true)
                        : Optional.empty();
                double topic = Double.NaN;
                if (misfit.isEmpty() && !split.isEmpty() && best >= threshold) {
                    Optional<String> shared = sharedTopics.get(document);
                    if (shared.isPresent()) {
                        Embedding topicEmbedding = embeddings.get(shared.get());
                        topic = Double.NEGATIVE_INFINITY;
                        for (String window : split) {
                            topic = Math.max(topic, SentenceEmbedder.similarity(topicEmbedding, embeddings.get(window)));
                        }
                        if (topic - best >= TOPIC_MARGIN) {
                            misfit = Optional.of(new AnswerFit("shared_topic_only", "it is closer to the words it "
                                    + "shares with the request, " + Texts.quote(shared.get(), 60) + " ("
                                    + Texts.similarity(topic) + "), than to the request itself"));
                        }
                    }
                }
                boolean isRelevant = !split.isEmpty() && best >= threshold && misfit.isEmpty();
                if (isRelevant) {
                    relevant++;
                }
                verdicts.add(chunkVerdict(call.spanId(), index, document, split.isEmpty() ? null : best, topic,
                        misfit, isRelevant));
            }
            int chunks = call.documents().size();
            verdicts.add(new Verdict(BuiltinJudge.CHUNK_RELEVANCE_PRECISION, call.spanId(),
                    (double) relevant / chunks, null,
                    relevant + " of " + chunks + " retrieved chunks are relevant to the request (similarity threshold "
                            + Texts.similarity(threshold) + ").",
                    Map.of("relevant_chunks", Integer.toString(relevant), "chunks", Integer.toString(chunks),
                            "threshold", Texts.number(threshold))));
        }
        return JudgeOutcome.of(verdicts);
    }

    private Verdict chunkVerdict(String spanId, int index, RetrievedDocument document, Double similarity,
                                 Double topic, Optional<AnswerFit> misfit, boolean relevant) {
        Map<String, String> metadata = ChunkSpanIds.metadata(spanId, index, document);
        if (topic != null && !topic.isNaN()) {
            metadata.put("shared_topic_similarity", Texts.number(topic));
        }
        metadata.put("threshold", Texts.number(threshold));
        String rationale;
        if (similarity == null) {
            rationale = "Chunk " + index + " has no text.";
        } else {
            metadata.put("similarity", Texts.number(similarity));
            String measured = "The cosine similarity of the request and chunk " + index + " (all-MiniLM-L6-v2) is "
                    + Texts.similarity(similarity);
            if (misfit.isPresent()) {
                metadata.put("failed_check", misfit.get().check());
                rationale = measured + ", at or above the threshold " + Texts.similarity(threshold) + ", but "
                        + misfit.get().reason() + ": the chunk is on the topic without answering the request, so it "
                        + "is not relevant.";
            } else {
                rationale = measured + (relevant ? ", at or above" : ", below") + " the threshold "
                        + Texts.similarity(threshold) + ": the chunk is " + (relevant ? "relevant." : "not relevant.");
            }
        }
        return new Verdict(name(), ChunkSpanIds.of(spanId, index), relevant ? "yes" : "no", null, rationale,
                metadata);
    }
}
