package dev.tracemonitor.testing.fakellm;

import dev.tracemonitor.model.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link FakeOpenAiServer} answers to one request. A 200 reply carries the assistant message {@code content}
 * wrapped in a chat-completions response; any other status carries an OpenAI-style error {@code body}. {@code latency}
 * is waited before answering; {@code hang} keeps the connection open without an answer for that long (then answers,
 * by which time a client with a shorter timeout has gone). {@code rawBody} replaces the whole response body.
 */
public record Reply(int status, String content, String errorMessage, String rawBody, Map<String, String> headers,
                    Duration latency, Duration hang) {

    public static final String DEFAULT_YES_RATIONALE = "The fake judge found nothing wrong.";

    public Reply {
        headers = Map.copyOf(headers);
        latency = latency == null ? Duration.ZERO : latency;
        hang = hang == null ? Duration.ZERO : hang;
    }

    /** A well-formed verdict: {@code {"rationale": …, "result": …}} as the message content. */
    public static Reply verdict(String result, String rationale) {
        return content(Json.MAPPER.createObjectNode().put("rationale", rationale).put("result", result).toString());
    }

    public static Reply yes() {
        return verdict("yes", DEFAULT_YES_RATIONALE);
    }

    /** Any message content, e.g. prose or broken JSON; null sends {@code "content": null}. */
    public static Reply content(String content) {
        return new Reply(200, content, null, null, Map.of(), null, null);
    }

    /** Message content that is not the JSON verdict: prose around a verdict. */
    public static Reply malformed() {
        return content("Sure! Here is my verdict: {\"rationale\": \"fine\", \"result\": \"yes\"}");
    }

    /** HTTP 429 with {@code Retry-After} in whole seconds. */
    public static Reply rateLimited(Duration retryAfter) {
        return error(429, "Rate limit reached for requests").withHeader("Retry-After",
                Long.toString(retryAfter.toSeconds()));
    }

    public static Reply serverError() {
        return error(500, "The server had an error while processing your request.");
    }

    /** An error status with an OpenAI-style body {@code {"error": {"message": …}}}. */
    public static Reply error(int status, String message) {
        return new Reply(status, null, message, null, Map.of(), null, null);
    }

    /** A response body sent as is, e.g. an HTML error page with status 200. */
    public static Reply raw(int status, String body) {
        return new Reply(status, null, null, body, Map.of(), null, null);
    }

    /** No answer for this long (then a normal "yes"): past the client's timeout, a hung endpoint. */
    public static Reply hang(Duration duration) {
        return new Reply(200, yes().content(), null, null, Map.of(), null, duration);
    }

    public Reply after(Duration delay) {
        return new Reply(status, content, errorMessage, rawBody, headers, delay, hang);
    }

    public Reply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Reply(status, content, errorMessage, rawBody, more, latency, hang);
    }
}
