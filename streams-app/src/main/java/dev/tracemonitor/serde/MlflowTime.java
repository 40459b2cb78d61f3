package dev.tracemonitor.serde;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;

/**
 * The time forms of MLflow's trace JSON: instants as ISO-8601 text ({@code 2025-01-01T12:00:00.123Z}) or epoch
 * milliseconds, and durations as protobuf-JSON seconds ({@code "1.5s"}) or ISO-8601 ({@code PT1.5S}).
 */
final class MlflowTime {

    private MlflowTime() {
    }

    /**
     * Epoch milliseconds of an instant written as ISO-8601 text or as a number in text.
     *
     * @throws NumberFormatException the text is neither
     */
    static long instantMillis(String text) {
        long fast = fastIsoInstantMillis(text);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.parseLong(text);
        }
    }

    /**
     * An event time in nanoseconds. MLflow writes event times in microseconds although the 3.x key is
     * {@code time_unix_nano} ({@code 1761105506649041}): a value between 10^14 and 10^17 (1973 to 5138 in
     * microseconds, only the first days of 1970 in nanoseconds) is microseconds.
     */
    static long eventNanos(long value) {
        return value >= 100_000_000_000_000L && value < 100_000_000_000_000_000L ? value * 1000 : value;
    }

    /** The form {@code java.time.Instant} writes, which MLflow reads. */
    static String formatInstant(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    /**
     * {@code Instant.parse(text).toEpochMilli()} for the shape MLflow writes, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z},
     * without the general parser (it runs for every trace, twice per trace in the service). Long.MIN_VALUE for any
     * other text, and for anything unusual (a leap second, an invalid date): the caller then uses Instant.parse, which
     * gives the same result or the same error.
     */
    static long fastIsoInstantMillis(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > YearMonth.of(year, month)
                .lengthOfMonth() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        long nanos = 0;
        if (length > 20) {
            int fractionDigits = length - 21;
            if (text.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return Long.MIN_VALUE;
            }
            int fraction = digits(text, 20, fractionDigits);
            if (fraction < 0) {
                return Long.MIN_VALUE;
            }
            nanos = fraction;
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long seconds = epochDay * 86_400L + hour * 3_600L + minute * 60L + second;
        return seconds * 1000L + nanos / 1_000_000L;
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1 if any is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * Milliseconds of a duration written as {@code "1.5s"} or ISO-8601, rounded to the nearest.
     *
     * @throws RuntimeException the text is neither
     */
    static long durationMillis(String text) {
        if (text.endsWith("s")) {
            return Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000.0);
        }
        return Duration.parse(text).toMillis();
    }

    /** The {@code "1.5s"} form, with three decimals. */
    static String formatDuration(long millis) {
        if (millis < 0) {
            return BigDecimal.valueOf(millis, 3).toPlainString() + "s";
        }
        long fraction = millis % 1000;
        // what String.format("%03d") gives for 0..999, without a Formatter per trace
        String padded = fraction < 10 ? "00" + fraction : fraction < 100 ? "0" + fraction : Long.toString(fraction);
        return (millis / 1000) + "." + padded + "s";
    }

    /** Whether {@link #formatDuration} gives back {@code millis} when read: not beyond a double's precision. */
    static boolean durationRoundTrips(long millis) {
        try {
            return durationMillis(formatDuration(millis)) == millis;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
