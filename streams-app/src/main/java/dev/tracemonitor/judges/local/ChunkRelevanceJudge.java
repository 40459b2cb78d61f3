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

/**
 * chunk_relevance without a language model: is each retrieved chunk about what the request asked? A chunk is relevant
 * when any of its windows (a chunk longer than the model's window is read in consecutive windows, up to
 * {@value #MAX_WINDOWS_PER_CHUNK} of them) has a cosine similarity with the request at or above the threshold. Per top-level retriever span: one verdict per chunk
 * (span id from {@link ChunkSpanIds}) and a {@code chunk_relevance/precision} verdict, relevant chunks / chunks.
 */
final class ChunkRelevanceJudge implements ApplicableJudge {

    static final int MAX_WINDOWS_PER_CHUNK = 16;

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
        for (RetrieverCall call : calls) {
            for (RetrievedDocument document : call.documents()) {
                List<String> split = Texts.isBlank(document.pageContent()) ? List.of()
                        : windows.split(document.pageContent(), MAX_WINDOWS_PER_CHUNK);
                chunkWindows.put(document, split);
                texts.addAll(split);
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
                boolean isRelevant = !split.isEmpty() && best >= threshold;
                if (isRelevant) {
                    relevant++;
                }
                verdicts.add(chunkVerdict(call.spanId(), index, document, split.isEmpty() ? null : best, isRelevant));
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
                                 boolean relevant) {
        Map<String, String> metadata = ChunkSpanIds.metadata(spanId, index, document);
        metadata.put("threshold", Texts.number(threshold));
        String rationale;
        if (similarity == null) {
            rationale = "Chunk " + index + " has no text.";
        } else {
            metadata.put("similarity", Texts.number(similarity));
            rationale = "The cosine similarity of the request and chunk " + index + " (all-MiniLM-L6-v2) is "
                    + Texts.similarity(similarity) + (relevant ? ", at or above" : ", below") + " the threshold "
                    + Texts.similarity(threshold) + ": the chunk is " + (relevant ? "relevant." : "not relevant.");
        }
        return new Verdict(name(), ChunkSpanIds.of(spanId, index), relevant ? "yes" : "no", null, rationale,
                metadata);
    }
}
