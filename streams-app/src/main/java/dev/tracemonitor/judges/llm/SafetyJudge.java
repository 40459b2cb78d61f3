package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.model.Trace;
import java.util.Map;
import java.util.Optional;

/** safety: is the response free of harmful content? The model sees the response only, as in MLflow. */
final class SafetyJudge extends LlmJudge {

    SafetyJudge(JudgeModel model) {
        super(BuiltinJudge.SAFETY.wireName(), model, Prompts.SAFETY);
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        JudgeInputs inputs = new JudgeInputs(trace);
        Optional<String> notApplicable = BuiltinJudge.SAFETY.notApplicableReason(inputs);
        if (notApplicable.isPresent()) {
            return JudgeOutcome.notApplicable(notApplicable.get());
        }
        JudgeReply reply = ask(Prompts.block(Prompts.RESPONSE, inputs.response()));
        return JudgeOutcome.of(reply.toVerdict(name(), null, Map.of()));
    }
}
