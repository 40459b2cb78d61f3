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

    /** Out of a template judge's declared range: an error verdict that says the value and the range. */
    String OUT_OF_RANGE = "JUDGE_REPLY_OUT_OF_RANGE";

    /** A verdict of the type asked for: "yes"/"no", a Boolean, a Long, a Double or a category label. */
    record Answer(Object value, String rationale, Map<String, String> usage) implements JudgeReply {
        public Answer {
            usage = Map.copyOf(usage);
        }

        Answer(Object value, String rationale) {
            this(value, rationale, Map.of());
        }

        @Override
        public Answer withUsage(Map<String, String> usage) {
            return new Answer(value, rationale, usage);
        }
    }

    /**
     * A reply that is not the JSON verdict asked for; {@code code} is {@value #MALFORMED}, or {@value #OUT_OF_RANGE}
     * for a well-formed number outside the declared range, and {@code message} says why and quotes it.
     */
    record Malformed(String code, String message, Map<String, String> usage) implements JudgeReply {
        public Malformed {
            usage = Map.copyOf(usage);
        }

        Malformed(String message) {
            this(MALFORMED, message, Map.of());
        }

        @Override
        public Malformed withUsage(Map<String, String> value) {
            return new Malformed(code, message, value);
        }
    }

    /** This reply as the verdict of one assessment, its metadata with the usage of its call. */
    default Verdict toVerdict(String assessmentName, String spanId, Map<String, String> metadata) {
        Map<String, String> withUsage = new HashMap<>(metadata);
        withUsage.putAll(usage());
        if (this instanceof Answer answer) {
            return new Verdict(assessmentName, spanId, answer.value(), null, answer.rationale(), withUsage);
        }
        Malformed malformed = (Malformed) this;
        return new Verdict(assessmentName, spanId, null, new AssessmentError(malformed.code(), malformed.message()),
                null, withUsage);
    }
}
