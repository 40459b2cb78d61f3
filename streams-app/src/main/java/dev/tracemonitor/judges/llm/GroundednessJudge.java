package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.RetrieverCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * groundedness: is everything the response states supported by what the retriever returned? One model call and one
 * verdict per top-level RETRIEVER span (span id = that span), each seeing the request, the response and that span's
 * documents. A span whose documents have no text gets "no" without a call, as on the local backend.
 */
final class GroundednessJudge extends LlmJudge implements ApplicableJudge {

    GroundednessJudge(JudgeModel model) {
        super(BuiltinJudge.GROUNDEDNESS.wireName(), model, Prompts.GROUNDEDNESS);
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.GROUNDEDNESS;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) throws Exception {
        String request = inputs.request();
        String response = inputs.response();
        List<Verdict> verdicts = new ArrayList<>();
        for (RetrieverCall call : inputs.retrievals()) {
            List<String> texts = call.documents().stream().map(RetrievedDocument::pageContent).toList();
            Map<String, String> metadata = Map.of("documents", Integer.toString(texts.size()));
            if (texts.stream().allMatch(LlmJudge::isBlank)) {
                verdicts.add(new Verdict(name(), call.spanId(), "no", null,
                        "The retriever span returned no document text, so nothing in the response is grounded in it.",
                        metadata));
                continue;
            }
            List<String> blocks = new ArrayList<>();
            if (!isBlank(request)) {
                blocks.add(Prompts.block(Prompts.REQUEST, request));
            }
            blocks.add(Prompts.block(Prompts.RESPONSE, response));
            blocks.add(Prompts.documents(texts));
            verdicts.add(ask(inputs.memo(), blocks.toArray(String[]::new)).toVerdict(name(), call.spanId(), metadata));
        }
        return JudgeOutcome.of(verdicts);
    }
}
