package dev.tracemonitor.judges.llm;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;

/**
 * A non-2xx reply of the judge endpoint, with what LangChain4j's own {@link HttpException} drops: the server's
 * Retry-After. Being an HttpException, LangChain4j still maps it by status (e.g. to a RateLimitException whose cause
 * it is), so the backend finds it in the cause chain. The message is the response body, unredacted: never print it
 * as is.
 */
final class HttpStatusException extends HttpException {

    private final Duration retryAfter;

    HttpStatusException(int statusCode, String body, Duration retryAfter) {
        super(statusCode, body);
        this.retryAfter = retryAfter;
    }

    /** The server's Retry-After, or null when it sent none. */
    Duration retryAfter() {
        return retryAfter;
    }

    String body() {
        return getMessage();
    }
}
