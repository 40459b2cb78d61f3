package dev.tracemonitor.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A monitor config's {@code "budget"}: at most {@code max_calls_per_hour} judge evaluations per clock hour and at most
 * {@code max_tokens_per_day} model tokens per clock day, across every instance of the service (either or both).
 * Over budget, sampled judges are skipped, not failed. Kept as written on the topic; the monitor config codec
 * validates it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JudgeBudget(
        @JsonProperty("max_calls_per_hour") Long maxCallsPerHour,
        @JsonProperty("max_tokens_per_day") Long maxTokensPerDay) {
}
