package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.model.Trace;
import java.util.Map;
import java.util.Optional;

/** relevance_to_query: does the response address what the request asked? The model sees both. */
final class RelevanceToQueryJudge extends LlmJudge {

    RelevanceToQueryJudge(JudgeModel model) {
        super(BuiltinJudge.RELEVANCE_TO_QUERY.wireName(), model, Prompts.RELEVANCE_TO_QUERY);
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        JudgeInputs inputs = new JudgeInputs(trace);
        Optional<String> notApplicable = BuiltinJudge.RELEVANCE_TO_QUERY.notApplicableReason(inputs);
        if (notApplicable.isPresent()) {
            return JudgeOutcome.notApplicable(notApplicable.get());
        }
        JudgeReply reply = ask(Prompts.block(Prompts.REQUEST, inputs.request()),
                Prompts.block(Prompts.RESPONSE, inputs.response()));
        return JudgeOutcome.of(reply.toVerdict(name(), null, Map.of()));
    }
}
