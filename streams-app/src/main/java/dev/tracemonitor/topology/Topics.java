package dev.tracemonitor.topology;

import java.util.List;

/** The topic names the service reads and writes; the defaults are the names DESIGN.md and the README use. */
public record Topics(String traces, String monitorConfig, String monitorStatus, String feedback, String assessed,
                     String dlq) {

    public static final String DEFAULT_TRACES = "traces";
    public static final String DEFAULT_MONITOR_CONFIG = "monitor-config";
    public static final String DEFAULT_MONITOR_STATUS = "monitor-status";
    public static final String DEFAULT_FEEDBACK = "trace-feedback";
    public static final String DEFAULT_ASSESSED = "traces-assessed";
    public static final String DEFAULT_DLQ = "traces-dlq";

    public static Topics defaults() {
        return new Topics(DEFAULT_TRACES, DEFAULT_MONITOR_CONFIG, DEFAULT_MONITOR_STATUS, DEFAULT_FEEDBACK,
                DEFAULT_ASSESSED, DEFAULT_DLQ);
    }

    public List<String> compacted() {
        return List.of(monitorConfig, monitorStatus);
    }

    public List<String> all() {
        return List.of(traces, monitorConfig, monitorStatus, feedback, assessed, dlq);
    }
}
