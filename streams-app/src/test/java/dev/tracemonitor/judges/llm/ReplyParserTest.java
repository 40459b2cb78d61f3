package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.judges.llm.JudgeReply.Answer;
import dev.tracemonitor.judges.llm.JudgeReply.Malformed;
import dev.tracemonitor.judges.template.FeedbackValueType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyParserTest {

    @Test
    void parsesTheVerdictObject() {
        assertThat(ReplyParser.parse("{\"rationale\": \"It answers.\", \"result\": \"yes\"}"))
                .isEqualTo(new Answer("yes", "It answers."));
        assertThat(ReplyParser.parse("{\"result\": \"no\", \"rationale\": \"Off topic.\"}"))
                .isEqualTo(new Answer("no", "Off topic."));
    }

    @Test
    void toleratesACodeFenceAndSurroundingWhitespace() {
        assertThat(ReplyParser.parse("\n  ```json\n{\"rationale\": \"ok\", \"result\": \"yes\"}\n```  \n"))
                .isEqualTo(new Answer("yes", "ok"));
        assertThat(ReplyParser.parse("```\n{\"rationale\": \"ok\", \"result\": \"no\"}\n```"))
                .isEqualTo(new Answer("no", "ok"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Sure! {\"rationale\": \"ok\", \"result\": \"yes\"}",
            "{\"rationale\": \"ok\", \"result\": \"yes\"} I hope this helps.",
            "{\"rationale\": \"ok\", \"result\": \"yes\"}{\"rationale\": \"ok\", \"result\": \"no\"}",
            "{\"rationale\": \"ok\"}",
            "{\"result\": \"yes\"}",
            "{\"rationale\": \"ok\", \"result\": \"Yes\"}",
            "{\"rationale\": \"ok\", \"result\": \"maybe\"}",
            "{\"rationale\": \"ok\", \"result\": true}",
            "{\"rationale\": 3, \"result\": \"yes\"}",
            "{\"rationale\": \"ok\", \"result\": \"yes\", \"confidence\": 0.9}",
            "{\"rationale\": \"ok\", \"result\": \"yes\", \"result\": \"no\"}",
            "[{\"rationale\": \"ok\", \"result\": \"yes\"}]",
            "\"yes\"",
            "yes",
            "{\"rationale\": \"ok\", \"result\": \"yes\"",
            "```json\n{\"rationale\": \"ok\", \"result\": \"yes\"}\n``` and more",
            "   "
    })
    void anythingElseIsMalformed(String reply) {
        assertThat(ReplyParser.parse(reply)).isInstanceOf(Malformed.class);
    }

    @Test
    void aMalformedMessageSaysWhyAndQuotesAtMost200CharactersOfTheReply() {
        String reply = "The answer is yes because " + "x".repeat(500);

        Malformed malformed = (Malformed) ReplyParser.parse(reply);

        assertThat(malformed.message()).startsWith("the judge model's reply is not a JSON object: \"The answer is yes");
        String quoted = malformed.message().substring(malformed.message().indexOf('"') + 1,
                malformed.message().lastIndexOf('"'));
        assertThat(quoted).hasSize(ReplyParser.QUOTED_CHARS).endsWith("…");
    }

    @Test
    void aMalformedReplyBecomesAnErrorVerdict() {
        var verdict = ReplyParser.parse("{\"rationale\": \"ok\", \"result\": \"perhaps\"}")
                .toVerdict("safety", null, java.util.Map.of());

        assertThat(verdict.value()).isNull();
        assertThat(verdict.error().errorCode()).isEqualTo("MALFORMED_JUDGE_REPLY");
        assertThat(verdict.error().errorMessage())
                .isEqualTo("the judge model's reply has a \"result\" other than \"yes\" or \"no\": "
                        + "\"{\"rationale\": \"ok\", \"result\": \"perhaps\"}\"");
    }

    private static final FeedbackValueType ONE_TO_FIVE = new FeedbackValueType.IntRange(1L, 5L);

    @Test
    void aTemplateJudgesReplyIsParsedForItsDeclaredType() {
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": 4}", ONE_TO_FIVE))
                .isEqualTo(new Answer(4L, "ok"));
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": 0.25}",
                new FeedbackValueType.FloatRange(0.0, 1.0))).isEqualTo(new Answer(0.25, "ok"));
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": false}", new FeedbackValueType.Bool()))
                .isEqualTo(new Answer(false, "ok"));
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": \"rude\"}",
                new FeedbackValueType.Categories(List.of("polite", "rude")))).isEqualTo(new Answer("rude", "ok"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"4\"", "4.5", "4.0", "true", "null", "99999999999999999999999"})
    void anIntegerJudgeRefusesWhatIsNotAJsonInteger(String result) {
        JudgeReply reply = ReplyParser.parse("{\"rationale\": \"ok\", \"result\": " + result + "}", ONE_TO_FIVE);

        assertThat(reply).isInstanceOf(Malformed.class);
        assertThat(((Malformed) reply).code()).isEqualTo(JudgeReply.MALFORMED);
    }

    @Test
    void aNumberOutsideTheDeclaredRangeIsAnOutOfRangeErrorThatNamesTheRange() {
        var verdict = ReplyParser.parse("{\"rationale\": \"ok\", \"result\": 9}", ONE_TO_FIVE)
                .toVerdict("score", null, java.util.Map.of());

        assertThat(verdict.value()).isNull();
        assertThat(verdict.error().errorCode()).isEqualTo(JudgeReply.OUT_OF_RANGE);
        assertThat(verdict.error().errorMessage()).startsWith("the judge model's reply has a \"result\" 9 outside [1, 5]");
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": 1.5}",
                new FeedbackValueType.FloatRange(0.0, 1.0))).isInstanceOf(Malformed.class);
    }

    @Test
    void aCategoryOrBooleanJudgeRefusesAnyOtherValue() {
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": \"Rude\"}",
                new FeedbackValueType.Categories(List.of("polite", "rude")))).isInstanceOf(Malformed.class);
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": \"true\"}", new FeedbackValueType.Bool()))
                .isInstanceOf(Malformed.class);
        assertThat(ReplyParser.parse("{\"rationale\": \"ok\", \"result\": \"yes\"}", new FeedbackValueType.Bool()))
                .isInstanceOf(Malformed.class);
    }
}
