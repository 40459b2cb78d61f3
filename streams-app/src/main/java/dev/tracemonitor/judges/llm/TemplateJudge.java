package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.CallMemo;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.template.JudgeTemplate;
import dev.tracemonitor.judges.template.TemplateValues;
import dev.tracemonitor.judges.template.TemplateVariable;
import dev.tracemonitor.model.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A judge a monitor declares as MLflow {@code make_judge} instructions: the instructions are the criterion (system
 * message), each variable they use is a tagged block of trace text in the user message, and the reply must carry a
 * result of the declared type. One call, one verdict; a trace with nothing for one of the variables is not judged.
 */
final class TemplateJudge extends LlmJudge {

    private final JudgeTemplate template;

    TemplateJudge(JudgeTemplate template, JudgeModel model) {
        super(template.name(), model, Prompts.templateCriterion(template), template.valueType());
        this.template = template;
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        return evaluate(trace, CallMemo.fresh());
    }

    @Override
    public JudgeOutcome evaluate(Trace trace, CallMemo memo) throws Exception {
        List<String> blocks = new ArrayList<>();
        for (TemplateVariable variable : template.orderedVariables()) {
            Optional<String> value = TemplateValues.of(variable, trace);
            if (value.isEmpty()) {
                return JudgeOutcome.notApplicable("the trace has nothing for {{ " + variable.wireName() + " }}");
            }
            blocks.add(Prompts.block(variable.wireName(), value.get()));
        }
        return JudgeOutcome.of(ask(memo, blocks.toArray(String[]::new)).toVerdict(name(), null, Map.of()));
    }
}
