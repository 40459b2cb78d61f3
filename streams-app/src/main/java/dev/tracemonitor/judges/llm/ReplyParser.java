package dev.tracemonitor.judges.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tracemonitor.judges.llm.JudgeReply.Answer;
import dev.tracemonitor.judges.llm.JudgeReply.Malformed;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a judge model's reply strictly: exactly {@code {"rationale": string, "result": "yes"|"no"}}, optionally
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
        if (result == null || !result.isTextual()) {
            return malformed("has no \"result\" string", reply);
        }
        return switch (result.textValue()) {
            case "yes" -> new Answer(true, rationale.textValue());
            case "no" -> new Answer(false, rationale.textValue());
            default -> malformed("has a \"result\" other than \"yes\" or \"no\"", reply);
        };
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
