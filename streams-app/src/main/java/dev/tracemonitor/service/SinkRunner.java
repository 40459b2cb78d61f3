package dev.tracemonitor.service;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.sink.DeltaSink;
import dev.tracemonitor.sink.SinkStats;

/**
 * Runs the Delta sinks of a service process from the service configuration: one on {@code traces-assessed} writing
 * the {@code trace_logs_<experiment_id>} tables (consumer group {@code trace-monitor.sink.group.id}), and one on
 * {@code trace-feedback} writing the {@code trace_assessments_<experiment_id>} tables (group
 * {@code <trace-monitor.sink.group.id>-assessments}), so that feedback arriving after its trace was written is not lost.
 */
public final class SinkRunner implements AutoCloseable {

    private final DeltaSink traces;
    private final DeltaSink assessments;

    private SinkRunner(DeltaSink traces, DeltaSink assessments) {
        this.traces = traces;
        this.assessments = assessments;
    }

    static SinkRunner start(ServiceConfig config, TraceMonitorMetrics metrics) {
        DeltaSink traces = new DeltaSink(config.traceLogsSinkConfig());
        DeltaSink assessments = new DeltaSink(config.assessmentsSinkConfig());
        traces.start();
        assessments.start();
        return new SinkRunner(traces, assessments);
    }

    /** The trace_logs sink's statistics (rows are traces). */
    public SinkStats stats() {
        return traces.stats();
    }

    /** The trace_assessments sink's statistics (rows are Assessments). */
    public SinkStats assessmentStats() {
        return assessments.stats();
    }

    public void requestFlush() {
        traces.requestFlush();
        assessments.requestFlush();
    }

    public boolean isRunning() {
        return traces.isRunning() && assessments.isRunning();
    }

    @Override
    public void close() {
        Thread closeAssessments = new Thread(assessments::close, "delta-sink-close-assessments");
        closeAssessments.start();
        traces.close();
        try {
            closeAssessments.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
