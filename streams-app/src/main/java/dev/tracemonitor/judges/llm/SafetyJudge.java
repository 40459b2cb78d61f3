package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import java.util.Map;

/** safety: is the response free of harmful content? The model sees the response only, as in MLflow. */
final class SafetyJudge extends LlmJudge implements ApplicableJudge {

    SafetyJudge(JudgeModel model) {
        super(BuiltinJudge.SAFETY.wireName(), model, Prompts.SAFETY);
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.SAFETY;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) throws Exception {
        JudgeReply reply = ask(inputs.memo(), Prompts.block(Prompts.RESPONSE, inputs.response()));
        return JudgeOutcome.of(reply.toVerdict(name(), null, Map.of()));
    }
}
