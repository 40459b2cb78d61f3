package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentError;
import java.util.HashMap;
import java.util.Map;

/**
 * What a judge model replied: a well-formed {@link Answer}, or a {@link Malformed} reply, which becomes an error
 * verdict ({@value #MALFORMED}) that quotes the start of the reply, never a guessed verdict. {@link ReplyParser} says
 * which.
 */
sealed interface JudgeReply {

    String MALFORMED = "MALFORMED_JUDGE_REPLY";

    /** What the call that gave this reply used (tokens, cost), as Assessment metadata; empty when unknown. */
    Map<String, String> usage();

    /** This reply with the usage of its call. */
    JudgeReply withUsage(Map<String, String> value);

    record Answer(boolean yes, String rationale, Map<String, String> usage) implements JudgeReply {
        public Answer {
            usage = Map.copyOf(usage);
        }

        Answer(boolean yes, String rationale) {
            this(yes, rationale, Map.of());
        }

        @Override
        public Answer withUsage(Map<String, String> value) {
            return new Answer(yes, rationale, value);
        }
    }

    /** A reply that is not the JSON verdict asked for; {@code message} says why and quotes it. */
    record Malformed(String message, Map<String, String> usage) implements JudgeReply {
        public Malformed {
            usage = Map.copyOf(usage);
        }

        Malformed(String message) {
            this(message, Map.of());
        }

        @Override
        public Malformed withUsage(Map<String, String> value) {
            return new Malformed(message, value);
        }
    }

    /** This reply as the verdict of one assessment, its metadata with the usage of its call. */
    default Verdict toVerdict(String assessmentName, String spanId, Map<String, String> metadata) {
        Map<String, String> withUsage = new HashMap<>(metadata);
        withUsage.putAll(usage());
        if (this instanceof Answer answer) {
            return new Verdict(assessmentName, spanId, answer.yes() ? "yes" : "no", null, answer.rationale(),
                    withUsage);
        }
        return new Verdict(assessmentName, spanId, null,
                new AssessmentError(MALFORMED, ((Malformed) this).message()), null, withUsage);
    }
}
