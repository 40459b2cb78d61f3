package dev.tracemonitor.judges;

import java.time.Duration;
import java.util.Optional;

/**
 * A judge call that failed in a way worth retrying: a timeout, HTTP 429 or 5xx. {@code retryAfter} carries the
 * server's Retry-After when it sent one; the scoring engine waits at least that long before the next attempt.
 * Any other exception from a judge is retried too, but never sooner than the engine's own backoff.
 */
public class RetryableJudgeException extends Exception {

    private final Duration retryAfter;

    public RetryableJudgeException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
