package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.BuiltinJudges;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.RetrieverCall;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * groundedness: is everything the response states supported by what the retriever returned? One model call and one
 * verdict per top-level RETRIEVER span (span id = that span), each seeing the request, the response and that span's
 * documents. A span whose documents have no text gets "no" without a call, as on the local backend.
 */
final class GroundednessJudge extends LlmJudge {

    GroundednessJudge(JudgeModel model) {
        super(BuiltinJudges.GROUNDEDNESS, model, Prompts.GROUNDEDNESS);
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        List<RetrieverCall> calls = TraceText.topLevelRetrievals(trace);
        if (calls.isEmpty()) {
            return JudgeOutcome.notApplicable("the trace has no RETRIEVER span");
        }
        String response = TraceText.response(trace);
        if (isBlank(response)) {
            return JudgeOutcome.notApplicable("the trace has no response text");
        }
        String request = TraceText.request(trace);
        List<Verdict> verdicts = new ArrayList<>();
        for (RetrieverCall call : calls) {
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
            verdicts.add(ask(blocks.toArray(String[]::new)).toVerdict(name(), call.spanId(), metadata));
        }
        return JudgeOutcome.of(verdicts);
    }
}
