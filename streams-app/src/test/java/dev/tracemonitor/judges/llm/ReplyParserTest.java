package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.judges.llm.JudgeReply.Answer;
import dev.tracemonitor.judges.llm.JudgeReply.Malformed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyParserTest {

    @Test
    void parsesTheVerdictObject() {
        assertThat(ReplyParser.parse("{\"rationale\": \"It answers.\", \"result\": \"yes\"}"))
                .isEqualTo(new Answer(true, "It answers."));
        assertThat(ReplyParser.parse("{\"result\": \"no\", \"rationale\": \"Off topic.\"}"))
                .isEqualTo(new Answer(false, "Off topic."));
    }

    @Test
    void toleratesACodeFenceAndSurroundingWhitespace() {
        assertThat(ReplyParser.parse("\n  ```json\n{\"rationale\": \"ok\", \"result\": \"yes\"}\n```  \n"))
                .isEqualTo(new Answer(true, "ok"));
        assertThat(ReplyParser.parse("```\n{\"rationale\": \"ok\", \"result\": \"no\"}\n```"))
                .isEqualTo(new Answer(false, "ok"));
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
}
