package dev.tracemonitor.service;

import dev.tracemonitor.sink.DeltaSink;
import dev.tracemonitor.sink.SinkStats;
import dev.tracemonitor.sink.SinkTableKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the Delta sinks of a service process from the service configuration: one on {@code traces-assessed} writing
 * the {@code trace_logs_<experiment_id>} tables (consumer group {@code trace-monitor.sink.group.id}), and one on
 * {@code trace-feedback} writing the {@code trace_assessments_<experiment_id>} tables (group
 * {@code <trace-monitor.sink.group.id>-assessments}), so that feedback arriving after its trace was written is not lost.
 * Each sink runs on its own thread; they start, flush and close together.
 */
public final class SinkRunner implements AutoCloseable {

    private final List<DeltaSink> sinks;

    private SinkRunner(List<DeltaSink> sinks) {
        this.sinks = sinks;
    }

    static SinkRunner start(ServiceConfig config) {
        List<DeltaSink> sinks = List.of(new DeltaSink(config.traceLogsSinkConfig()),
                new DeltaSink(config.assessmentsSinkConfig()));
        sinks.forEach(DeltaSink::start);
        return new SinkRunner(sinks);
    }

    /** The sinks, one per {@link SinkTableKind}. */
    public List<DeltaSink> sinks() {
        return sinks;
    }

    /** The trace_logs sink's statistics (rows are traces). */
    public SinkStats stats() {
        return sink(SinkTableKind.TRACE_LOGS).stats();
    }

    /** The trace_assessments sink's statistics (rows are Assessments). */
    public SinkStats assessmentStats() {
        return sink(SinkTableKind.TRACE_ASSESSMENTS).stats();
    }

    /**
     * Whether this process's trace_assessments sink owns the first partition of {@code trace-feedback}: one process of
     * the sink group at a time, which is where alerts are evaluated.
     */
    public boolean leadsAlerts() {
        return sink(SinkTableKind.TRACE_ASSESSMENTS).owns(0);
    }

    public void requestFlush() {
        sinks.forEach(DeltaSink::requestFlush);
    }

    public boolean isRunning() {
        return sinks.stream().allMatch(DeltaSink::isRunning);
    }

    /** Closes the sinks in parallel (each commits what it has read), returning once all are closed. */
    @Override
    public void close() {
        List<Thread> closers = new ArrayList<>();
        for (DeltaSink sink : sinks) {
            Thread closer = new Thread(sink::close, "delta-sink-close-" + sink.config().kind());
            closer.start();
            closers.add(closer);
        }
        for (Thread closer : closers) {
            try {
                closer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private DeltaSink sink(SinkTableKind kind) {
        return sinks.stream().filter(sink -> sink.config().kind() == kind).findFirst().orElseThrow();
    }
}
