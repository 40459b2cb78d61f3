package dev.tracemonitor.serde;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers a dead-lettered record carries: why it was rejected and where it came from; and the small error record
 * that stands for a trace too large to copy.
 */
public final class DeadLetters {
    /** The prefix of every header the service adds; a replayed record has none of them. */
    public static final String HEADER_PREFIX = "trace-monitor.";
    /** The {@code error} of the small record standing for a trace over the limit (which stays in its topic). */
    public static final String TOO_LARGE_ERROR = "record too large";
    public static final String ERROR_REASON = "trace-monitor.error.reason";
    public static final String ERROR_STAGE = "trace-monitor.error.stage";
    public static final String SOURCE_TOPIC = "trace-monitor.source.topic";
    public static final String SOURCE_PARTITION = "trace-monitor.source.partition";
    public static final String SOURCE_OFFSET = "trace-monitor.source.offset";

    private DeadLetters() {
    }

    public static Headers headers(Headers original, String stage, String reason, String topic, int partition, long offset) {
        Headers headers = new RecordHeaders(original == null ? new RecordHeaders().toArray() : original.toArray());
        headers.add(ERROR_REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(ERROR_STAGE, stage.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** The headers the record had before it was dead-lettered: all but the service's own. */
    public static Headers original(Headers dead) {
        Headers original = new RecordHeaders();
        for (Header h : dead) {
            if (!h.key().startsWith(HEADER_PREFIX)) {
                original.add(h);
            }
        }
        return original;
    }

    /** Whether a dead letter is the small error record of a trace too large to copy, not the trace itself. */
    public static boolean isTooLargeStub(byte[] value) {
        if (value == null || value.length == 0 || value[0] != '{' || value.length > 4096) {
            return false;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(value);
            return node != null && TOO_LARGE_ERROR.equals(node.path("error").asText(null));
        } catch (IOException e) {
            return false;
        }
    }

    public static String header(Headers headers, String key) {
        var h = headers.lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
