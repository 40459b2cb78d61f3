package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.CallMemo;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.template.FeedbackValueType;
import dev.tracemonitor.judges.RetryableJudgeException;

/** What the LLM judges share: a name, the model as their source, one criterion, and asking the model about blocks. */
abstract class LlmJudge implements Judge {

    private final String name;
    private final JudgeModel model;
    private final String systemPrompt;
    private final FeedbackValueType valueType;

    LlmJudge(String name, JudgeModel model, String criterion) {
        this(name, model, criterion, new FeedbackValueType.YesNo());
    }

    /** A judge whose verdict is of this type (a template judge's declared {@code feedback_value_type}). */
    LlmJudge(String name, JudgeModel model, String criterion, FeedbackValueType valueType) {
        this.name = name;
        this.model = model;
        this.systemPrompt = Prompts.system(criterion, valueType);
        this.valueType = valueType;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AssessmentSource source() {
        return model.source();
    }

    @Override
    public boolean acceptsCalls() {
        return model.acceptsCalls();
    }

    /**
     * One model call on these data blocks (see {@link Prompts#block}), its reply parsed; the reply an earlier attempt
     * of this task received when it asked the same; with the tokens and cost of that call.
     */
    JudgeReply ask(CallMemo memo, String... blocks)
            throws RetryableJudgeException, PermanentJudgeException, InterruptedException {
        CallMemo.Reply reply = model.ask(systemPrompt, Prompts.user(blocks), valueType, memo);
        return ReplyParser.parse(reply.text(), valueType).withUsage(model.usage(reply));
    }

    static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }
}
