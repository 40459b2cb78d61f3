package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentError;
import java.util.Map;

/**
 * What a judge model replied: a well-formed {@link Answer}, or a {@link Malformed} reply, which becomes an error
 * verdict ({@value #MALFORMED}) that quotes the start of the reply, never a guessed verdict. {@link ReplyParser} says
 * which.
 */
sealed interface JudgeReply {

    String MALFORMED = "MALFORMED_JUDGE_REPLY";

    record Answer(boolean yes, String rationale) implements JudgeReply {
    }

    /** A reply that is not the JSON verdict asked for; {@code message} says why and quotes it. */
    record Malformed(String message) implements JudgeReply {
    }

    /** This reply as the verdict of one assessment. */
    default Verdict toVerdict(String assessmentName, String spanId, Map<String, String> metadata) {
        if (this instanceof Answer answer) {
            return new Verdict(assessmentName, spanId, answer.yes() ? "yes" : "no", null, answer.rationale(),
                    metadata);
        }
        return new Verdict(assessmentName, spanId, null,
                new AssessmentError(MALFORMED, ((Malformed) this).message()), null, metadata);
    }
}
