package dev.tracemonitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A judge's pass rate below its rule's threshold in one window of one monitor: what is posted to the webhook, with an
 * {@code id} that is the same for every post of it, so a receiver can drop a repeat.
 */
public record Alert(String experimentId, String judge, double rate, long count, long windowStartMillis,
                    long windowEndMillis, double minPassRate, List<String> failingTraceIds) {

    public Alert {
        failingTraceIds = List.copyOf(failingTraceIds);
    }

    /** {@code <experiment_id>/<judge>/<window start>}: one alert per window, judge and monitor. */
    public String id() {
        return id(experimentId, judge, windowStartMillis);
    }

    static String id(String experimentId, String judge, long windowStartMillis) {
        return experimentId + "/" + judge + "/" + Instant.ofEpochMilli(windowStartMillis);
    }

    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", id()).put("monitor", experimentId).put("judge", judge).put("rate", rate).put("count", count)
                .put("min_pass_rate", minPassRate);
        node.putObject("window").put("start", Instant.ofEpochMilli(windowStartMillis).toString())
                .put("end", Instant.ofEpochMilli(windowEndMillis).toString());
        failingTraceIds.forEach(node.putArray("failing_trace_ids")::add);
        return node;
    }

    /** Reads what {@link #toJson()} wrote. */
    public static Alert fromJson(JsonNode node) {
        List<String> failing = new ArrayList<>();
        node.path("failing_trace_ids").forEach(id -> failing.add(id.asText()));
        return new Alert(node.path("monitor").asText(), node.path("judge").asText(), node.path("rate").asDouble(),
                node.path("count").asLong(), Instant.parse(node.path("window").path("start").asText()).toEpochMilli(),
                Instant.parse(node.path("window").path("end").asText()).toEpochMilli(),
                node.path("min_pass_rate").asDouble(), failing);
    }
}
