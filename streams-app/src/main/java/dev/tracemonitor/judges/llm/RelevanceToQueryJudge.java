package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import java.util.Map;

/** relevance_to_query: does the response address what the request asked? The model sees both. */
final class RelevanceToQueryJudge extends LlmJudge implements ApplicableJudge {

    RelevanceToQueryJudge(JudgeModel model) {
        super(BuiltinJudge.RELEVANCE_TO_QUERY.wireName(), model, Prompts.RELEVANCE_TO_QUERY);
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.RELEVANCE_TO_QUERY;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) throws Exception {
        JudgeReply reply = ask(inputs.memo(), Prompts.block(Prompts.REQUEST, inputs.request()),
                Prompts.block(Prompts.RESPONSE, inputs.response()));
        return JudgeOutcome.of(reply.toVerdict(name(), null, Map.of()));
    }
}
