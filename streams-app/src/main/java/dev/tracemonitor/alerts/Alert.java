package dev.tracemonitor.alerts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import java.time.Instant;
import java.util.List;

/**
 * A judge's pass rate below its rule's threshold in one window of one monitor: what is posted to the webhook.
 */
public record Alert(String experimentId, String judge, double rate, long count, long windowStartMillis,
                    long windowEndMillis, double minPassRate, List<String> failingTraceIds) {

    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("monitor", experimentId).put("judge", judge).put("rate", rate).put("count", count)
                .put("min_pass_rate", minPassRate);
        node.putObject("window").put("start", Instant.ofEpochMilli(windowStartMillis).toString())
                .put("end", Instant.ofEpochMilli(windowEndMillis).toString());
        failingTraceIds.forEach(node.putArray("failing_trace_ids")::add);
        return node;
    }
}
