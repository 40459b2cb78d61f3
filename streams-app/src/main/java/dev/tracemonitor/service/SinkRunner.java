package dev.tracemonitor.service;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.sink.DeltaSink;
import dev.tracemonitor.sink.DeltaSinkConfig;
import dev.tracemonitor.sink.SinkStats;
import dev.tracemonitor.sink.SinkTableKind;
import java.util.Map;

/**
 * Runs the Delta sinks of a service process from the service configuration: one on {@code traces-assessed} writing
 * the {@code trace_logs_<experiment_id>} tables (consumer group {@code trace-monitor.sink.group.id}), and one on
 * {@code trace-feedback} writing the {@code trace_assessments_<experiment_id>} tables (group
 * {@code <trace-monitor.sink.group.id>-assessments}), so that feedback arriving after its trace was written is not lost.
 */
public final class SinkRunner implements AutoCloseable {

    /** Suffix of the assessments sink's consumer group (and so of its Delta transaction ids). */
    public static final String ASSESSMENTS_GROUP_SUFFIX = "-assessments";

    private final DeltaSink traces;
    private final DeltaSink assessments;

    private SinkRunner(DeltaSink traces, DeltaSink assessments) {
        this.traces = traces;
        this.assessments = assessments;
    }

    static SinkRunner start(ServiceConfig config, TraceMonitorMetrics metrics) {
        DeltaSink traces = new DeltaSink(traceLogsConfig(config));
        DeltaSink assessments = new DeltaSink(assessmentsConfig(config));
        traces.start();
        assessments.start();
        return new SinkRunner(traces, assessments);
    }

    /** The configuration of the sink writing trace_logs tables from traces-assessed. */
    public static DeltaSinkConfig traceLogsConfig(ServiceConfig config) {
        return builder(config)
                .groupId(config.getString(ServiceConfig.SINK_GROUP_ID_CONFIG))
                .topic(config.topics().assessed())
                .kind(SinkTableKind.TRACE_LOGS)
                .build();
    }

    /** The configuration of the sink writing trace_assessments tables from trace-feedback. */
    public static DeltaSinkConfig assessmentsConfig(ServiceConfig config) {
        return builder(config)
                .groupId(config.getString(ServiceConfig.SINK_GROUP_ID_CONFIG) + ASSESSMENTS_GROUP_SUFFIX)
                .topic(config.topics().feedback())
                .kind(SinkTableKind.TRACE_ASSESSMENTS)
                .build();
    }

    private static DeltaSinkConfig.Builder builder(ServiceConfig config) {
        DeltaSinkConfig.Builder builder = DeltaSinkConfig.builder(config.getString(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG),
                        config.getString(ServiceConfig.WAREHOUSE_CONFIG))
                .consumerProperties(config.kafkaProperties())
                .flushInterval(config.duration(ServiceConfig.FLUSH_INTERVAL_CONFIG))
                .alignToClock(true)
                .maxRowsPerFile(config.getLong(ServiceConfig.SINK_MAX_ROWS_PER_FILE_CONFIG))
                .maxBufferedBytes(config.getLong(ServiceConfig.SINK_MAX_BUFFERED_BYTES_CONFIG));
        for (Map.Entry<String, String> e : config.hadoopProperties().entrySet()) {
            builder.hadoopConf(e.getKey(), e.getValue());
        }
        return builder;
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
