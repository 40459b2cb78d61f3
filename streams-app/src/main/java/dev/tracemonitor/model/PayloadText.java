package dev.tracemonitor.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The text a person reads in a request or response payload, whatever the application logged: OpenAI Chat Completions
 * ({@code messages}, {@code choices[0].message}), the OpenAI Responses API ({@code input} string or items,
 * {@code output} message items, a list of stream events), LangChain (lists of {@code human}/{@code ai} messages,
 * {@code generations}), Databricks agents ({@code {"request": {"input": [...]}}}, ChatAgent {@code messages}),
 * OpenTelemetry GenAI messages ({@code parts}), plain strings and dicts with one text field. A request is the last
 * <em>user</em> message (several inputs end with an assistant tool call or a tool result); a response the last
 * assistant message. When nothing matches, the payload's JSON is the text.
 */
public final class PayloadText {

    /** Fields that hold the question of a dict input, most specific first. */
    private static final List<String> REQUEST_FIELDS =
            List.of("query", "question", "input", "prompt", "user_input", "message", "text", "content", "request");
    /** Fields that hold the answer of a dict output, most specific first. */
    private static final List<String> RESPONSE_FIELDS =
            List.of("response", "answer", "output", "output_text", "text", "content", "result", "completion",
                    "prediction", "message");
    private static final Set<String> USER_ROLES = Set.of("user", "human");
    private static final Set<String> ASSISTANT_ROLES = Set.of("assistant", "ai", "model", "bot");
    private static final Set<String> TEXT_PART_TYPES = Set.of("text", "input_text", "output_text");
    private static final int MAX_DEPTH = 8;

    private PayloadText() {
    }

    /** The question in a request payload; null only for a null payload. */
    public static String request(JsonNode payload) {
        if (payload == null || payload.isNull()) {
            return null;
        }
        String text = requestText(payload, 0);
        return text != null ? text : payload.isTextual() ? payload.textValue() : payload.toString();
    }

    /** The answer in a response payload; null only for a null payload. */
    public static String response(JsonNode payload) {
        if (payload == null || payload.isNull()) {
            return null;
        }
        String text = responseText(payload, 0);
        return text != null ? text : payload.isTextual() ? payload.textValue() : payload.toString();
    }

    private static String requestText(JsonNode node, int depth) {
        if (depth > MAX_DEPTH || node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            String lastUser = lastMessageText(node, USER_ROLES);
            if (lastUser != null) {
                return lastUser;
            }
            // LangChain's chat model input: a list of message lists
            if (!node.isEmpty() && node.get(node.size() - 1).isArray()) {
                return requestText(node.get(node.size() - 1), depth + 1);
            }
            return null;
        }
        if (!node.isObject()) {
            return null;
        }
        String lastUser = lastMessageText(node.get("messages"), USER_ROLES);
        if (lastUser != null) {
            return lastUser;
        }
        for (String field : REQUEST_FIELDS) {
            JsonNode value = node.get(field);
            if (value != null && !value.isNull()) {
                String text = field.equals("content") ? contentText(value) : requestText(value, depth + 1);
                if (text != null) {
                    return text;
                }
            }
        }
        return onlyTextField(node);
    }

    private static String responseText(JsonNode node, int depth) {
        if (depth > MAX_DEPTH || node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            String done = streamedItemText(node);
            if (done != null) {
                return done;
            }
            String lastAssistant = lastMessageText(node, ASSISTANT_ROLES);
            if (lastAssistant != null) {
                return lastAssistant;
            }
            return outputItemsText(node);
        }
        if (!node.isObject()) {
            return null;
        }
        JsonNode choice = node.path("choices").path(0);
        if (choice.isObject()) {
            String text = choice.has("message") ? contentText(choice.get("message").get("content"))
                    : textOrNull(choice.get("text"));
            if (text != null) {
                return text;
            }
        }
        JsonNode generation = node.path("generations").path(0).path(0);
        if (generation.isObject()) {
            String text = contentText(generation.path("message").get("content"));
            if (text != null) {
                return text;
            }
            if (textOrNull(generation.get("text")) != null) {
                return generation.get("text").textValue();
            }
        }
        JsonNode output = node.get("output");
        if (output != null && output.isArray()) {
            String text = outputItemsText(output);
            if (text != null) {
                return text;
            }
        }
        String lastAssistant = lastMessageText(node.get("messages"), ASSISTANT_ROLES);
        if (lastAssistant != null) {
            return lastAssistant;
        }
        for (String field : RESPONSE_FIELDS) {
            JsonNode value = node.get(field);
            if (value != null && !value.isNull()) {
                String text = field.equals("content") ? contentText(value) : responseText(value, depth + 1);
                if (text != null) {
                    return text;
                }
            }
        }
        return onlyTextField(node);
    }

    /** The text of the last message with one of {@code roles}, in a list of chat messages; null if none. */
    private static String lastMessageText(JsonNode messages, Set<String> roles) {
        if (messages == null || !messages.isArray()) {
            return null;
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode message = messages.get(i);
            if (message.isObject() && roles.contains(role(message))) {
                String text = message.has("parts") ? partsText(message.get("parts")) : contentText(message.get("content"));
                if (text != null && !text.isEmpty()) {
                    return text;
                }
            }
        }
        return null;
    }

    /** OpenAI's {@code role}, or LangChain's {@code type} ({@code human}, {@code ai}). */
    private static String role(JsonNode message) {
        JsonNode role = message.get("role");
        if (role != null && role.isTextual()) {
            return role.textValue().toLowerCase(Locale.ROOT);
        }
        JsonNode type = message.get("type");
        return type != null && type.isTextual() ? type.textValue().toLowerCase(Locale.ROOT) : "";
    }

    /** A message's content: a string, or a list of parts whose text parts are joined. */
    private static String contentText(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        return content.isArray() ? partsText(content) : null;
    }

    /** The text parts of a content list (OpenAI, Responses API, OpenTelemetry GenAI {@code parts}) joined by lines. */
    private static String partsText(JsonNode parts) {
        if (parts == null || !parts.isArray()) {
            return null;
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode part : parts) {
            if (part.isTextual()) {
                texts.add(part.textValue());
            } else if (part.isObject() && (!part.has("type") || TEXT_PART_TYPES.contains(part.path("type").asText()))) {
                String text = textOrNull(part.get("text"));
                if (text == null) {
                    text = textOrNull(part.get("content"));
                }
                if (text != null) {
                    texts.add(text);
                }
            }
        }
        return texts.isEmpty() ? null : String.join("\n", texts);
    }

    /** The text of the last assistant {@code message} item of a Responses API {@code output} list. */
    private static String outputItemsText(JsonNode items) {
        for (int i = items.size() - 1; i >= 0; i--) {
            JsonNode item = items.get(i);
            if (item.isObject() && "message".equals(item.path("type").asText())
                    && !USER_ROLES.contains(role(item))) {
                String text = contentText(item.get("content"));
                if (text != null) {
                    return text;
                }
            }
        }
        return null;
    }

    /** A list of Responses stream events: the item of the last {@code response.output_item.done} event. */
    private static String streamedItemText(JsonNode events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            JsonNode event = events.get(i);
            if (event.isObject() && "response.output_item.done".equals(event.path("type").asText())) {
                return contentText(event.path("item").get("content"));
            }
        }
        return null;
    }

    private static String onlyTextField(JsonNode node) {
        if (node.size() == 1) {
            JsonNode only = node.elements().next();
            return textOrNull(only);
        }
        return null;
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
