package dev.tracemonitor.judges.llm;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads how long a server asked us to wait: {@code retry-after-ms} (milliseconds, sent by OpenAI and Azure OpenAI) or
 * {@code Retry-After} (delay-seconds or an HTTP date, RFC 9110). A date in the past means "now"; a value that is
 * neither means no hint.
 */
final class RetryAfter {

    private RetryAfter() {
    }

    static Duration from(HttpHeaders headers, Clock clock) {
        Duration millis = headers.firstValue("retry-after-ms").map(RetryAfter::millis).orElse(null);
        if (millis != null) {
            return millis;
        }
        return headers.firstValue("retry-after").map(value -> parse(value, clock)).orElse(null);
    }

    static Duration parse(String value, Clock clock) {
        String text = value.strip();
        if (text.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(text));
        }
        if (text.matches("\\d{1,9}\\.\\d{1,9}")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Duration millis(String value) {
        String text = value.strip();
        if (!text.matches("\\d{1,12}(\\.\\d+)?")) {
            return null;
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(text)));
    }
}
