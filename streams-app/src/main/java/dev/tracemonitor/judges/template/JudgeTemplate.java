package dev.tracemonitor.judges.template;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.model.MonitorConfig;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A judge a user writes as instructions with MLflow {@code make_judge} template variables ({@code {{ inputs }}},
 * {@code {{ outputs }}}, {@code {{ trace }}}, {@code {{ expectations }}}) and a declared {@link FeedbackValueType};
 * {@link #of} rejects what could not run with the reason a monitor-status event reports.
 */
public record JudgeTemplate(String name, String instructions, Set<TemplateVariable> variables,
                            FeedbackValueType valueType) {

    public static final int MAX_INSTRUCTIONS_CHARS = 8000;
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}");
    /** Any {@code {{ ... }}} placeholder, so that a misspelt one is reported instead of sent to the model verbatim. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

    public JudgeTemplate {
        variables = Set.copyOf(variables);
    }

    /** The template judge a monitor's entry declares ({@code where} names the entry in the reasons). */
    public static JudgeTemplate of(String where, MonitorConfig.JudgeConfig judge) {
        return of(where, judge.name(), judge.instructions(), FeedbackValueType.of(where, judge.feedbackValueType(),
                judge.minValue(), judge.maxValue(), judge.categories()));
    }

    /** The variables the instructions use, in {@link TemplateVariable}'s order, so prompts are built the same way. */
    public EnumSet<TemplateVariable> orderedVariables() {
        EnumSet<TemplateVariable> ordered = EnumSet.noneOf(TemplateVariable.class);
        ordered.addAll(variables);
        return ordered;
    }

    public static JudgeTemplate of(String where, String name, String instructions, FeedbackValueType valueType) {
        require(name != null, where + ".name is required");
        require(SAFE_NAME.matcher(name).matches(), where + ".name \"" + name + "\" must match " + SAFE_NAME.pattern());
        require(BuiltinJudge.named(name).isEmpty(), where + ".name \"" + name + "\" is the name of a builtin judge");
        require(instructions != null && !instructions.isBlank(), where + ".instructions is empty");
        require(instructions.length() <= MAX_INSTRUCTIONS_CHARS,
                where + ".instructions is longer than " + MAX_INSTRUCTIONS_CHARS + " characters");
        Set<TemplateVariable> variables = EnumSet.noneOf(TemplateVariable.class);
        Matcher placeholder = PLACEHOLDER.matcher(instructions);
        while (placeholder.find()) {
            String variable = placeholder.group(1);
            variables.add(TemplateVariable.named(variable).orElseThrow(() -> new InvalidTemplateException(
                    where + ".instructions uses unknown variable {{ " + variable + " }}; known: "
                            + TemplateVariable.NAMES)));
        }
        require(!variables.isEmpty(), where + ".instructions uses no template variable; use at least one of "
                + TemplateVariable.NAMES.stream().map(v -> "{{ " + v + " }}").toList());
        return new JudgeTemplate(name, instructions, variables, valueType);
    }

    private static void require(boolean condition, String reason) {
        if (!condition) {
            throw new InvalidTemplateException(reason);
        }
    }
}
