package dev.tracemonitor.topology;

import dev.tracemonitor.controlplane.InvalidMonitorConfigException;
import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.model.MonitorConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates every publish on {@code monitor-config} against the config in force and answers on {@code monitor-status}:
 * accepted (the new config is in force), rejected (with the reason; the previous config stays in force) or deleted
 * (a tombstone). A monitor's table location cannot change once it exists.
 */
final class ConfigValidationProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigValidationProcessor.class);

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> inForce;

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.inForce = context.getStateStore(TraceMonitorTopology.CONFIG_IN_FORCE_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String key = record.key();
        long version = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        if (key == null) {
            LOG.warn("monitor-config record at offset {} has no key (the experiment_id); ignored", version);
            return;
        }
        byte[] previousBytes = inForce.get(key);
        MonitorStatus previous = previousBytes == null ? null : MonitorStatus.decode(previousBytes);
        MonitorStatus status;
        if (record.value() == null) {
            status = new MonitorStatus(key, MonitorStatus.DELETED, previous == null ? "no such monitor" : null,
                    version, null, null, record.timestamp());
            inForce.delete(key);
        } else {
            try {
                MonitorConfig config = MonitorConfigCodec.decode(key, record.value());
                checkLocationUnchanged(previous, config);
                status = new MonitorStatus(key, MonitorStatus.ACCEPTED, null, version, version, config, record.timestamp());
                inForce.put(key, status.encode());
            } catch (InvalidMonitorConfigException e) {
                LOG.warn("monitor {} config at version {} rejected: {}", key, version, e.getMessage());
                status = new MonitorStatus(key, MonitorStatus.REJECTED, e.getMessage(), version,
                        previous == null ? null : previous.versionInForce(),
                        previous == null ? null : previous.configInForce(), record.timestamp());
            }
        }
        context.forward(new Record<>(key, status.encode(), record.timestamp()));
    }

    private static void checkLocationUnchanged(MonitorStatus previous, MonitorConfig config) {
        if (previous == null || previous.configInForce() == null) {
            return;
        }
        MonitorConfig old = previous.configInForce();
        if (!old.catalogName().equals(config.catalogName()) || !old.schemaName().equals(config.schemaName())) {
            throw new InvalidMonitorConfigException("catalog_name/schema_name cannot change once a monitor exists (in force: "
                    + old.catalogName() + "." + old.schemaName() + ", published: " + config.catalogName() + "."
                    + config.schemaName() + ")");
        }
    }
}
