package dev.tracemonitor.topology;

import dev.tracemonitor.controlplane.MonitorStatus;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global store of monitors in force from {@code monitor-status}: the raw status of each monitor that has a
 * config in force. Restoration copies raw records, so the store holds the status bytes and readers decode them.
 */
final class MonitorsUpdater implements Processor<String, byte[], Void, Void> {

    private KeyValueStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(TraceMonitorTopology.MONITORS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null || MonitorStatus.decode(record.value()).configInForce() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
    }
}
