package dev.tracemonitor.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.time.Duration;

/**
 * One entry of a monitor config's {@code "alerts"}: post to {@code webhook} when, in a window of {@code window} (an
 * ISO-8601 duration; windows are aligned to the epoch), the judge's pass rate over at least {@code min_count} yes/no
 * Assessments is below {@code min_pass_rate}. Kept as written on the topic; the monitor config codec validates it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertRule(
        @JsonProperty("judge") String judge,
        @JsonProperty("min_pass_rate") Double minPassRate,
        @JsonProperty("window") String window,
        @JsonProperty("min_count") Integer minCount,
        @JsonProperty("webhook") String webhook) {

    @JsonIgnore
    public Duration windowDuration() {
        return Duration.parse(window);
    }

    @JsonIgnore
    public URI webhookUri() {
        return URI.create(webhook);
    }
}
