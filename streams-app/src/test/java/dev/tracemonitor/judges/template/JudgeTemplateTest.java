package dev.tracemonitor.judges.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JudgeTemplateTest {

    private static final String W = "assessments[0]";
    private static final String OK = "Does {{ outputs }} answer {{inputs}} politely?";

    @Test
    void aValidTemplateKnowsItsVariablesAndType() {
        JudgeTemplate tone = JudgeTemplate.of(W, "tone", OK, FeedbackValueType.of(W, "yes_no", null, null, null));
        assertThat(tone.variables()).containsExactlyInAnyOrder(TemplateVariable.INPUTS, TemplateVariable.OUTPUTS);
        assertThat(tone.valueType()).isEqualTo(new FeedbackValueType.YesNo());

        assertThat(FeedbackValueType.of(W, "int", 1.0, 5.0, null)).isEqualTo(new FeedbackValueType.IntRange(1L, 5L));
        assertThat(FeedbackValueType.of(W, "float", null, 1.0, null))
                .isEqualTo(new FeedbackValueType.FloatRange(null, 1.0));
        assertThat(FeedbackValueType.of(W, "categories", null, null, List.of("a", "b")))
                .isEqualTo(new FeedbackValueType.Categories(List.of("a", "b")));
        assertThat(JudgeTemplate.of(W, "whole", "Judge {{ trace }} against {{ expectations }}",
                new FeedbackValueType.Bool()).variables())
                .containsExactlyInAnyOrder(TemplateVariable.TRACE, TemplateVariable.EXPECTATIONS);
    }

    static Stream<Arguments> invalidTemplates() {
        return Stream.of(
                Arguments.of("tone", "Is {{ output }} polite?", "yes_no", null, null, null,
                        "assessments[0].instructions uses unknown variable {{ output }}"),
                Arguments.of("tone", "Is {{ }} polite?", "yes_no", null, null, null,
                        "assessments[0].instructions uses unknown variable {{  }}"),
                Arguments.of("tone", "Is the answer polite?", "yes_no", null, null, null,
                        "assessments[0].instructions uses no template variable"),
                Arguments.of("tone", "   ", "yes_no", null, null, null, "assessments[0].instructions is empty"),
                Arguments.of("tone", null, "yes_no", null, null, null, "assessments[0].instructions is empty"),
                Arguments.of("tone", "{{ outputs }}".repeat(700), "yes_no", null, null, null,
                        "assessments[0].instructions is longer than 8000 characters"),
                Arguments.of("safety", OK, "yes_no", null, null, null,
                        "assessments[0].name \"safety\" is the name of a builtin judge"),
                Arguments.of("retrieval_groundedness", OK, "yes_no", null, null, null,
                        "assessments[0].name \"retrieval_groundedness\" is the name of a builtin judge"),
                Arguments.of("to ne", OK, "yes_no", null, null, null, "assessments[0].name \"to ne\" must match"),
                Arguments.of(null, OK, "yes_no", null, null, null, "assessments[0].name is required"),
                Arguments.of("score", OK, "int", 5.0, 1.0, null,
                        "assessments[0].min_value 5.0 is not below max_value 1.0"),
                Arguments.of("score", OK, "int", 3.0, 3.0, null,
                        "assessments[0].min_value 3.0 is not below max_value 3.0"),
                Arguments.of("score", OK, "int", 1.5, 5.0, null, "assessments[0].min_value 1.5 is not an integer"),
                Arguments.of("score", OK, "float", Double.NaN, 5.0, null,
                        "assessments[0].min_value is not a finite number"),
                Arguments.of("score", OK, "yes_no", 1.0, 5.0, null,
                        "assessments[0].min_value/max_value apply only to feedback_value_type int or float"),
                Arguments.of("score", OK, "string", null, null, null,
                        "assessments[0].feedback_value_type \"string\" is not one of"),
                Arguments.of("score", OK, null, null, null, null, "assessments[0].feedback_value_type is required"),
                Arguments.of("kind", OK, "categories", null, null, List.of("only"),
                        "assessments[0].categories needs at least two labels"),
                Arguments.of("kind", OK, "categories", null, null, List.of("a", "a"),
                        "assessments[0].categories has \"a\" twice"),
                Arguments.of("kind", OK, "categories", null, null, List.of("a", " "),
                        "assessments[0].categories has an empty label"),
                Arguments.of("kind", OK, "bool", null, null, List.of("a", "b"),
                        "assessments[0].categories applies only to feedback_value_type categories"));
    }

    @ParameterizedTest
    @MethodSource("invalidTemplates")
    void anInvalidTemplateIsRejectedWithItsReason(String name, String instructions, String type, Double min,
                                                   Double max, List<String> categories, String reason) {
        assertThatThrownBy(() -> JudgeTemplate.of(W, name, instructions,
                FeedbackValueType.of(W, type, min, max, categories)))
                .isInstanceOf(InvalidTemplateException.class)
                .hasMessageStartingWith(reason);
    }
}
