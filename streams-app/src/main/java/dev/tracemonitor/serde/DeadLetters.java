package dev.tracemonitor.serde;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The headers a dead-lettered record carries: why it was rejected and where it came from. */
public final class DeadLetters {
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

    public static String header(Headers headers, String key) {
        var h = headers.lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
