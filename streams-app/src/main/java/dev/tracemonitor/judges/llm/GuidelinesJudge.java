package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.CallMemo;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A named set of guidelines: does the response follow every one? The operators' guideline texts are part of the
 * criterion (system message); the request, when the trace has one, and the response are data. One call, one verdict:
 * "no" if any guideline fails.
 */
final class GuidelinesJudge extends LlmJudge {

    GuidelinesJudge(String name, List<String> guidelines, JudgeModel model) {
        super(name, model, Prompts.guidelinesCriterion(guidelines));
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        return evaluate(trace, CallMemo.fresh());
    }

    @Override
    public JudgeOutcome evaluate(Trace trace, CallMemo memo) throws Exception {
        String response = TraceText.response(trace);
        if (isBlank(response)) {
            return JudgeOutcome.notApplicable("the trace has no response text");
        }
        String request = TraceText.request(trace);
        List<String> blocks = new ArrayList<>();
        if (!isBlank(request)) {
            blocks.add(Prompts.block(Prompts.REQUEST, request));
        }
        blocks.add(Prompts.block(Prompts.RESPONSE, response));
        return JudgeOutcome.of(ask(memo, blocks.toArray(String[]::new)).toVerdict(name(), null, Map.of()));
    }
}
