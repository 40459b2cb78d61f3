package dev.tracemonitor.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * The topic names the service reads and writes; the defaults are the names DESIGN.md and the README use. The OTLP
 * input is off when {@code otlp} is empty; {@code otlpSpans} is where its spans are re-keyed by trace id.
 */
public record Topics(String traces, String monitorConfig, String monitorStatus, String feedback, String assessed,
                     String dlq, String otlp, String otlpSpans) {

    public static final String DEFAULT_TRACES = "traces";
    public static final String DEFAULT_MONITOR_CONFIG = "monitor-config";
    public static final String DEFAULT_MONITOR_STATUS = "monitor-status";
    public static final String DEFAULT_FEEDBACK = "trace-feedback";
    public static final String DEFAULT_ASSESSED = "traces-assessed";
    public static final String DEFAULT_DLQ = "traces-dlq";
    /** Off: the Collector's Kafka exporter writes to {@code otlp_spans} by default, name that topic to read it. */
    public static final String DEFAULT_OTLP = "";
    public static final String DEFAULT_OTLP_SPANS = "traces-otlp-spans";

    public static Topics defaults() {
        return new Topics(DEFAULT_TRACES, DEFAULT_MONITOR_CONFIG, DEFAULT_MONITOR_STATUS, DEFAULT_FEEDBACK,
                DEFAULT_ASSESSED, DEFAULT_DLQ, DEFAULT_OTLP, DEFAULT_OTLP_SPANS);
    }

    /** These topics with the OTLP input read from {@code topic}. */
    public Topics withOtlp(String topic) {
        return new Topics(traces, monitorConfig, monitorStatus, feedback, assessed, dlq, topic, otlpSpans);
    }

    public boolean otlpEnabled() {
        return otlp != null && !otlp.isBlank();
    }

    public List<String> compacted() {
        return List.of(monitorConfig, monitorStatus);
    }

    public List<String> all() {
        List<String> all = new ArrayList<>(List.of(traces, monitorConfig, monitorStatus, feedback, assessed, dlq));
        if (otlpEnabled()) {
            all.add(otlp);
            all.add(otlpSpans);
        }
        return all;
    }
}
