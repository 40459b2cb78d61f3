package dev.tracemonitor.service;

import dev.tracemonitor.metrics.TraceMonitorMetrics;

/** Placeholder replaced when the Delta sink lands. */
public final class SinkRunner implements AutoCloseable {
    static SinkRunner start(ServiceConfig config, TraceMonitorMetrics metrics) {
        throw new UnsupportedOperationException("sink not merged yet");
    }

    /** Sink progress. */
    public record Stats(long rowsCommitted) {
    }

    public Stats stats() {
        return new Stats(0);
    }

    @Override
    public void close() {
    }
}
