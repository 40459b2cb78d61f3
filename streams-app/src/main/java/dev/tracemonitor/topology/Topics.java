package dev.tracemonitor.topology;

import java.util.List;

/** The topic names the service reads and writes; the defaults are the names DESIGN.md and the README use. */
public record Topics(String traces, String monitorConfig, String monitorStatus, String feedback, String assessed,
                     String dlq) {

    public static Topics defaults() {
        return new Topics("traces", "monitor-config", "monitor-status", "trace-feedback", "traces-assessed",
                "traces-dlq");
    }

    public List<String> compacted() {
        return List.of(monitorConfig, monitorStatus);
    }

    public List<String> all() {
        return List.of(traces, monitorConfig, monitorStatus, feedback, assessed, dlq);
    }
}
