package dev.tracemonitor.judges.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tracemonitor.judges.llm.JudgeReply.Answer;
import dev.tracemonitor.judges.llm.JudgeReply.Malformed;
import dev.tracemonitor.judges.template.FeedbackValueType;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a judge model's reply strictly: exactly {@code {"rationale": string, "result": "yes"|"no"}} (or a result of
 * a template judge's declared type, see {@link #parse(String, FeedbackValueType)}), optionally
 * inside one Markdown code fence ({@code ```json … ```}) and surrounding whitespace. Prose around the JSON, another
 * field, a missing field, a duplicate key, a non-string value or a result other than lowercase yes/no is malformed: a
 * judge that answers off-format is not to be second-guessed.
 */
final class ReplyParser {

    static final int QUOTED_CHARS = 200;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Pattern FENCED = Pattern.compile("```(?:json)?\\s*(.*?)\\s*```",
            Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Set<String> FIELDS = Set.of("rationale", "result");

    private ReplyParser() {
    }

    static JudgeReply parse(String reply) {
        return parse(reply, new FeedbackValueType.YesNo());
    }

    /**
     * The reply parsed for a verdict of this type: {@code yes_no} a lowercase "yes"/"no" string, {@code bool} a JSON
     * boolean, {@code int} a JSON integer, {@code float} a finite JSON number, {@code categories} one of the labels
     * as a string; a number outside the declared range is {@link JudgeReply#OUT_OF_RANGE}.
     */
    static JudgeReply parse(String reply, FeedbackValueType type) {
        if (reply == null || reply.isBlank()) {
            return new Malformed("the judge model's reply is empty");
        }
        String json = reply.strip();
        Matcher fence = FENCED.matcher(json);
        if (fence.matches()) {
            json = fence.group(1);
        }
        JsonNode node;
        try {
            node = STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            return malformed("is not a JSON object", reply);
        }
        if (node == null || !node.isObject()) {
            return malformed("is not a JSON object", reply);
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return malformed("has an unexpected field \"" + quote(name, 40) + "\"", reply);
            }
        }
        JsonNode rationale = node.get("rationale");
        JsonNode result = node.get("result");
        if (rationale == null || !rationale.isTextual()) {
            return malformed("has no \"rationale\" string", reply);
        }
        if (result == null) {
            return malformed("has no \"result\"", reply);
        }
        String why = rationale.textValue();
        if (type instanceof FeedbackValueType.Bool) {
            return result.isBoolean() ? new Answer(result.booleanValue(), why)
                    : malformed("has a \"result\" that is not a JSON boolean", reply);
        }
        if (type instanceof FeedbackValueType.IntRange range) {
            if (!result.isIntegralNumber() || !result.canConvertToLong()) {
                return malformed("has a \"result\" that is not a JSON integer", reply);
            }
            long value = result.longValue();
            boolean inside = (range.min() == null || value >= range.min()) && (range.max() == null || value <= range.max());
            return inside ? new Answer(value, why) : outOfRange(value, range.min(), range.max(), reply);
        }
        if (type instanceof FeedbackValueType.FloatRange range) {
            if (!result.isNumber() || !Double.isFinite(result.doubleValue())) {
                return malformed("has a \"result\" that is not a finite JSON number", reply);
            }
            double value = result.doubleValue();
            boolean inside = (range.min() == null || value >= range.min()) && (range.max() == null || value <= range.max());
            return inside ? new Answer(value, why) : outOfRange(value, range.min(), range.max(), reply);
        }
        if (!result.isTextual()) {
            return malformed("has no \"result\" string", reply);
        }
        if (type instanceof FeedbackValueType.Categories categories) {
            return categories.labels().contains(result.textValue()) ? new Answer(result.textValue(), why)
                    : malformed("has a \"result\" that is none of the labels " + categories.labels(), reply);
        }
        return switch (result.textValue()) {
            case "yes", "no" -> new Answer(result.textValue(), why);
            default -> malformed("has a \"result\" other than \"yes\" or \"no\"", reply);
        };
    }

    private static Malformed outOfRange(Object value, Object min, Object max, String reply) {
        return new Malformed(JudgeReply.OUT_OF_RANGE, "the judge model's reply has a \"result\" " + value
                + " outside [" + (min == null ? "-inf" : min) + ", " + (max == null ? "+inf" : max) + "]: \""
                + quote(reply, QUOTED_CHARS) + "\"", Map.of());
    }

    private static Malformed malformed(String problem, String reply) {
        return new Malformed("the judge model's reply " + problem + ": \"" + quote(reply, QUOTED_CHARS) + "\"");
    }

    /** At most {@code max} characters of the text, whitespace collapsed, with an ellipsis when cut. */
    static String quote(String text, int max) {
        String flat = text.strip().replaceAll("\\s+", " ");
        return flat.length() > max ? flat.substring(0, max - 1) + "…" : flat;
    }
}
