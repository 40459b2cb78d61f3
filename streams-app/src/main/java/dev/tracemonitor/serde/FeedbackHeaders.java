package dev.tracemonitor.serde;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The header of a {@code trace-feedback} record besides its table address: {@value #LATE} is {@code true} when the
 * Assessment was published after its trace had already been written to {@code traces-assessed} (the scoring deadline
 * had passed), so the trace's row in {@code trace_logs_<experiment_id>} does not carry it.
 */
public final class FeedbackHeaders {

    public static final String LATE = "trace-monitor.late";

    private FeedbackHeaders() {
    }

    public static void writeLate(Headers headers, boolean late) {
        headers.remove(LATE);
        headers.add(LATE, Boolean.toString(late).getBytes(StandardCharsets.UTF_8));
    }

    public static boolean isLate(Headers headers) {
        Header header = headers.lastHeader(LATE);
        return header != null && header.value() != null
                && "true".equals(new String(header.value(), StandardCharsets.UTF_8));
    }
}
