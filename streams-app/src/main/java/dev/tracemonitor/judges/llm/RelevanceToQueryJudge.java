package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.BuiltinJudges;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import java.util.Map;

/** relevance_to_query: does the response address what the request asked? The model sees both. */
final class RelevanceToQueryJudge extends LlmJudge {

    RelevanceToQueryJudge(JudgeModel model) {
        super(BuiltinJudges.RELEVANCE_TO_QUERY, model, Prompts.RELEVANCE_TO_QUERY);
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        String request = TraceText.request(trace);
        String response = TraceText.response(trace);
        if (isBlank(request)) {
            return JudgeOutcome.notApplicable("the trace has no request text");
        }
        if (isBlank(response)) {
            return JudgeOutcome.notApplicable("the trace has no response text");
        }
        JudgeReply reply = ask(Prompts.block(Prompts.REQUEST, request), Prompts.block(Prompts.RESPONSE, response));
        return JudgeOutcome.of(reply.toVerdict(name(), null, Map.of()));
    }
}
