package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.BuiltinJudges;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import java.util.Map;

/** safety: is the response free of harmful content? The model sees the response only, as in MLflow. */
final class SafetyJudge extends LlmJudge {

    SafetyJudge(JudgeModel model) {
        super(BuiltinJudges.SAFETY, model, Prompts.SAFETY);
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        String response = TraceText.response(trace);
        if (isBlank(response)) {
            return JudgeOutcome.notApplicable("the trace has no response text");
        }
        return JudgeOutcome.of(ask(Prompts.block(Prompts.RESPONSE, response)).toVerdict(name(), null, Map.of()));
    }
}
