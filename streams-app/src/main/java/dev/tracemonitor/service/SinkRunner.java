package dev.tracemonitor.service;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.sink.DeltaSink;
import dev.tracemonitor.sink.DeltaSinkConfig;
import dev.tracemonitor.sink.SinkStats;
import java.util.Map;

/** Runs the Delta sink of a service process from the service configuration. */
public final class SinkRunner implements AutoCloseable {

    private final DeltaSink sink;

    private SinkRunner(DeltaSink sink) {
        this.sink = sink;
    }

    static SinkRunner start(ServiceConfig config, TraceMonitorMetrics metrics) {
        DeltaSinkConfig.Builder builder = DeltaSinkConfig.builder(config.getString(ServiceConfig.BOOTSTRAP_SERVERS),
                        config.getString(ServiceConfig.WAREHOUSE))
                .groupId(config.getString(ServiceConfig.SINK_GROUP_ID))
                .topic(config.topics().assessed())
                .flushInterval(config.duration(ServiceConfig.FLUSH_INTERVAL))
                .alignToClock(true)
                .maxRowsPerFile(config.getLong(ServiceConfig.SINK_MAX_ROWS_PER_FILE))
                .consumerProperties(config.kafkaProperties());
        for (Map.Entry<String, String> e : config.hadoopProperties().entrySet()) {
            builder.hadoopConf(e.getKey(), e.getValue());
        }
        DeltaSink sink = new DeltaSink(builder.build());
        sink.start();
        return new SinkRunner(sink);
    }

    public SinkStats stats() {
        return sink.stats();
    }

    public void requestFlush() {
        sink.requestFlush();
    }

    public boolean isRunning() {
        return sink.isRunning();
    }

    @Override
    public void close() {
        sink.close();
    }
}
