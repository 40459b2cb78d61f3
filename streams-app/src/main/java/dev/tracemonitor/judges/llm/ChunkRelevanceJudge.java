package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ChunkSpanIds;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentError;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.RetrieverCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * chunk_relevance: is each retrieved chunk relevant to the request? One model call per chunk (request + that chunk),
 * made one after another, so that each chunk gets an independent judgement and the reply keeps the one-verdict shape
 * every judge parses. Per top-level RETRIEVER span: one verdict per chunk (span id from {@link ChunkSpanIds}) and a
 * {@code chunk_relevance/precision} verdict, relevant chunks / judged chunks. A chunk without text is "no" without a
 * call; a chunk whose reply is malformed is an error verdict and is left out of the precision, which says so.
 */
final class ChunkRelevanceJudge extends LlmJudge implements ApplicableJudge {

    ChunkRelevanceJudge(JudgeModel model) {
        super(BuiltinJudge.CHUNK_RELEVANCE.wireName(), model, Prompts.CHUNK_RELEVANCE);
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.CHUNK_RELEVANCE;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) throws Exception {
        String requestBlock = Prompts.block(Prompts.REQUEST, inputs.request());
        List<Verdict> verdicts = new ArrayList<>();
        for (RetrieverCall call : inputs.retrievals()) {
            if (call.documents().isEmpty()) {
                continue;
            }
            int relevant = 0;
            int judged = 0;
            for (int index = 0; index < call.documents().size(); index++) {
                RetrievedDocument document = call.documents().get(index);
                Map<String, String> metadata = ChunkSpanIds.metadata(call.spanId(), index, document);
                String spanId = ChunkSpanIds.of(call.spanId(), index);
                Verdict verdict = isBlank(document.pageContent())
                        ? new Verdict(name(), spanId, "no", null, "Chunk " + index + " has no text.", metadata)
                        : ask(inputs.memo(), requestBlock, Prompts.block(Prompts.CHUNK, document.pageContent()))
                                .toVerdict(name(), spanId, metadata);
                if (verdict.error() == null) {
                    judged++;
                    relevant += "yes".equals(verdict.value()) ? 1 : 0;
                }
                verdicts.add(verdict);
            }
            verdicts.add(precision(call.spanId(), relevant, judged, call.documents().size()));
        }
        return JudgeOutcome.of(verdicts);
    }

    private static Verdict precision(String spanId, int relevant, int judged, int chunks) {
        Map<String, String> metadata = Map.of("relevant_chunks", Integer.toString(relevant),
                "judged_chunks", Integer.toString(judged), "chunks", Integer.toString(chunks));
        if (judged == 0) {
            return new Verdict(BuiltinJudge.CHUNK_RELEVANCE_PRECISION, spanId, null,
                    new AssessmentError(JudgeReply.MALFORMED,
                            "none of the " + chunks + " chunks could be judged: every reply was malformed"),
                    null, metadata);
        }
        String unjudged = judged < chunks
                ? " " + (chunks - judged) + " of " + chunks + " chunks could not be judged (malformed replies) and are "
                        + "left out."
                : "";
        return new Verdict(BuiltinJudge.CHUNK_RELEVANCE_PRECISION, spanId, (double) relevant / judged, null,
                relevant + " of " + judged + " retrieved chunks are relevant to the request." + unjudged, metadata);
    }
}
