package dev.tracemonitor.controlplane;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tracemonitor.model.MonitorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The answer to a publish on {@code monitor-config}, written to the compacted {@code monitor-status} topic. Every event
 * carries the config in force after it, so the latest status of a monitor is also its accepted config: a rejected
 * publish never replaces it, whatever compaction later does to {@code monitor-config}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MonitorStatus(
        @JsonProperty("experiment_id") String experimentId,
        @JsonProperty("status") String status,
        @JsonProperty("reason") String reason,
        @JsonProperty("published_version") long publishedVersion,
        @JsonProperty("version_in_force") Long versionInForce,
        @JsonProperty("config_in_force") MonitorConfig configInForce,
        @JsonProperty("timestamp") long timestamp) {

    public static final String ACCEPTED = "accepted";
    public static final String REJECTED = "rejected";
    public static final String DELETED = "deleted";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public MonitorRecord inForce() {
        return configInForce == null ? null : new MonitorRecord(configInForce, versionInForce == null ? -1 : versionInForce);
    }

    public byte[] encode() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MonitorStatus decode(byte[] bytes) {
        try {
            return MAPPER.readValue(bytes, MonitorStatus.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
