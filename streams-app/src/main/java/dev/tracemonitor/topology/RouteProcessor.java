package dev.tracemonitor.topology;

import dev.tracemonitor.controlplane.MonitorRecord;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.filter.TraceFilter;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.sink.TableAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Joins each trace with the monitor in force for its experiment (the global store of {@code monitor-status}) and
 * decides, deterministically, which judges run on it. Traces of experiments without a monitor are counted and dropped.
 * A late update of an OTLP trace ({@link SpanAssemblyProcessor#LATE_UPDATE_TAG}) runs no judge: the sampling decision is
 * per trace id, and the trace's judges ran when it was first emitted.
 */
final class RouteProcessor implements Processor<String, ReceivedTrace, String, PlannedTrace> {

    private final TraceMonitorMetrics metrics;
    private final Map<String, CachedMonitor> cache = new HashMap<>();
    private ProcessorContext<String, PlannedTrace> context;
    private KeyValueStore<String, byte[]> monitors;

    RouteProcessor(TraceMonitorMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, PlannedTrace> context) {
        this.context = context;
        this.monitors = context.getStateStore(TraceMonitorTopology.MONITORS_STORE);
    }

    @Override
    public void process(Record<String, ReceivedTrace> record) {
        Trace trace = record.value().trace();
        String experimentId = trace.info().experimentId();
        CachedMonitor cached = experimentId == null ? null : monitorFor(experimentId);
        if (cached == null || cached.monitor() == null) {
            metrics.notMonitored();
            return;
        }
        MonitorRecord monitor = cached.monitor();
        metrics.configVersion(experimentId, monitor.version());
        MonitorConfig config = monitor.config();
        List<JudgeSpec> judges;
        if (trace.info().tags().containsKey(SpanAssemblyProcessor.LATE_UPDATE_TAG)) {
            judges = List.of();
        } else if (cached.filter().matches(trace.info())) {
            judges = Sampler.selectedJudges(config, trace.traceId());
        } else {
            metrics.filteredOut();
            judges = List.of();
        }
        judges.forEach(j -> metrics.sampled(experimentId, j.name()));
        TableAddress table = new TableAddress(config.catalogName(), config.schemaName(), config.experimentId());
        context.forward(record.withValue(new PlannedTrace(trace, table, judges, monitor.version(), config.budget(),
                record.value().json())));
    }

    private CachedMonitor monitorFor(String experimentId) {
        byte[] raw = monitors.get(experimentId);
        if (raw == null) {
            cache.remove(experimentId);
            return null;
        }
        CachedMonitor cached = cache.get(experimentId);
        if (cached == null || !Arrays.equals(cached.raw, raw)) {
            MonitorRecord monitor = MonitorStatus.decode(raw).inForce();
            cached = new CachedMonitor(raw, monitor,
                    TraceFilter.compile(monitor == null ? null : monitor.config().filter()));
            cache.put(experimentId, cached);
        }
        return cached;
    }

    private record CachedMonitor(byte[] raw, MonitorRecord monitor, TraceFilter filter) {
    }
}
