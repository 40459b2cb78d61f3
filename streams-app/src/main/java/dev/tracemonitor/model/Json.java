package dev.tracemonitor.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one shared Jackson mapper, and helpers for MLflow's JSON-encoded attribute values. It sits with the data, not
 * in {@code serde}, because the model's own accessors read those values ({@link Span#spanType}, {@link TraceText}),
 * and because {@code judges} and {@code delta}, which read JSON too, may not depend on their sibling {@code serde}.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Reads one whole JSON value: {@code 404 Not Found} is text, not the number 404 followed by words. */
    private static final ObjectReader WHOLE_VALUE = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** Parses JSON text, or returns null when the text is null or not one JSON value with nothing after it. */
    public static JsonNode parseOrNull(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return WHOLE_VALUE.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code "\"RETRIEVER\""} → {@code RETRIEVER}; text that is not a JSON string is returned as is. */
    public static String unquote(String jsonText) {
        if (jsonText == null) {
            return null;
        }
        String plain = plainQuoted(jsonText);
        if (plain != null) {
            return plain;
        }
        JsonNode node = parseOrNull(jsonText);
        return node != null && node.isTextual() ? node.textValue() : jsonText;
    }

    /**
     * The common case of {@link #unquote} without a parser (it runs for every span of every trace): a JSON string
     * with nothing to unescape, {@code "…"} holding no quote, backslash or control character. Null for anything else.
     */
    private static String plainQuoted(String text) {
        int last = text.length() - 1;
        if (last < 1 || text.charAt(0) != '"' || text.charAt(last) != '"') {
            return null;
        }
        for (int i = 1; i < last; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                return null;
            }
        }
        return text.substring(1, last);
    }
}
