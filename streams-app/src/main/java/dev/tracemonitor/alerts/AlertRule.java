package dev.tracemonitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * One entry of a monitor config's {@code "alerts"}: post to {@code webhook} when, in a window of {@code window}, the
 * judge's pass rate over at least {@code minCount} yes/no Assessments is below {@code minPassRate}.
 */
public record AlertRule(String judge, double minPassRate, Duration window, int minCount, URI webhook) {

    public AlertRule {
        require(judge != null && !judge.isBlank(), "judge is required");
        require(minPassRate >= 0 && minPassRate <= 1, "min_pass_rate must be between 0 and 1");
        require(window != null && !window.isNegative() && !window.isZero(), "window must be a positive duration");
        require(minCount >= 1, "min_count must be at least 1");
        require(webhook != null && ("http".equals(webhook.getScheme()) || "https".equals(webhook.getScheme()))
                && webhook.getHost() != null, "webhook must be an http or https URL");
    }

    /**
     * Reads {@code {"judge": ..., "min_pass_rate": ..., "window": "PT15M", "min_count": ..., "webhook": ...}}.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static AlertRule fromJson(JsonNode node) {
        require(node != null && node.isObject(), "an alert must be a JSON object");
        require(node.path("min_pass_rate").isNumber(), "min_pass_rate must be a number");
        require(node.path("min_count").canConvertToInt() && node.path("min_count").isIntegralNumber(),
                "min_count must be a whole number");
        Duration window;
        try {
            window = Duration.parse(node.path("window").asText(""));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("window must be an ISO-8601 duration such as PT15M");
        }
        URI webhook;
        try {
            webhook = new URI(node.path("webhook").asText(""));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("webhook must be an http or https URL");
        }
        return new AlertRule(node.path("judge").asText(null), node.path("min_pass_rate").asDouble(), window,
                node.path("min_count").asInt(), webhook);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("alert: " + message);
        }
    }
}
