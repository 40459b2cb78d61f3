package dev.tracemonitor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's own meters, in one place so their names stay consistent: traces in, dead-lettered, not monitored,
 * sampled per judge, judge outcomes (yes / no / error / not applicable), feedback out and late feedback, and the
 * config version in force per monitor. The untagged counters (and the dead-letter counter of each known reason) exist
 * from the start, at zero, so that a dashboard or an alert sees them before the first event.
 */
public final class TraceMonitorMetrics {

    public static final String PREFIX = "trace_monitor.";

    private final MeterRegistry registry;
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong pendingTasks = new AtomicLong();
    private final Map<String, AtomicLong> configVersions = new ConcurrentHashMap<>();
    private final JudgeBacklog judgeBacklog;

    public TraceMonitorMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge(PREFIX + "judge.in_flight", inFlight);
        registry.gauge(PREFIX + "judge.pending_tasks", pendingTasks);
        this.judgeBacklog = new JudgeBacklog(registry, PREFIX, Clock.systemUTC());
        registry.counter(PREFIX + "traces.in");
        for (String reason : List.of("invalid_trace", "undecodable")) {
            registry.counter(PREFIX + "traces.dlq", "reason", reason);
        }
        registry.counter(PREFIX + "traces.not_monitored");
        registry.counter(PREFIX + "registry.outage.waits");
        registry.counter(PREFIX + "feedback.out");
        registry.counter(PREFIX + "feedback.late");
    }

    public static TraceMonitorMetrics inMemory() {
        return new TraceMonitorMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void traceIn() {
        registry.counter(PREFIX + "traces.in").increment();
    }

    public void deadLettered(String reasonKind) {
        registry.counter(PREFIX + "traces.dlq", "reason", reasonKind).increment();
    }

    /** An OTLP trace dropped, as configured, rather than dead-lettered. */
    public void otlpDropped(String reasonKind) {
        registry.counter(PREFIX + "otlp.dropped", "reason", reasonKind).increment();
    }

    /** An OTLP trace emitted again, merged with spans that came after it was emitted. */
    public void otlpLateUpdate() {
        registry.counter(PREFIX + "otlp.late.updates").increment();
    }

    /** One pause of decoding while the schema registry is unavailable. */
    public void registryOutageWait() {
        registry.counter(PREFIX + "registry.outage.waits").increment();
    }

    public void notMonitored() {
        registry.counter(PREFIX + "traces.not_monitored").increment();
    }

    public void filteredOut() {
        registry.counter(PREFIX + "traces.filtered_out").increment();
    }

    public void traceAssessed(boolean sampled) {
        registry.counter(PREFIX + "traces.assessed", "sampled", Boolean.toString(sampled)).increment();
    }

    public void sampled(String experimentId, String judge) {
        registry.counter(PREFIX + "judge.sampled", "experiment_id", experimentId, "judge", judge).increment();
    }

    /**
     * outcome: yes, no, error, not_applicable, or other (a non yes/no value such as a precision); labelled by
     * experiment so that pass rates can be charted per monitor.
     */
    public void judgeOutcome(String experimentId, String judge, String outcome) {
        registry.counter(PREFIX + "judge.outcomes", "experiment_id", experimentId, "judge", judge, "outcome", outcome)
                .increment();
    }

    /** Tokens a judge's model calls used, {@code kind} input or output, per monitor and judge. */
    public void judgeTokens(String experimentId, String judge, String kind, long tokens) {
        registry.counter(PREFIX + "judge.tokens", "experiment_id", experimentId, "judge", judge, "kind", kind)
                .increment(tokens);
    }

    /** US dollars a judge's model calls cost, per monitor and judge (models with a configured price only). */
    public void judgeCost(String experimentId, String judge, double usd) {
        registry.counter(PREFIX + "judge.cost.usd", "experiment_id", experimentId, "judge", judge).increment(usd);
    }

    public Timer judgeLatency(String judge) {
        return Timer.builder(PREFIX + "judge.latency").tag("judge", judge).publishPercentileHistogram()
                .register(registry);
    }

    public void judgeCall(String judge, String result) {
        registry.counter(PREFIX + "judge.calls", "judge", judge, "result", result).increment();
    }

    /** An alert post: {@code delivered} (the webhook answered 2xx) or {@code failed} (kept, posted again). */
    public void alertPost(String experimentId, String judge, String outcome) {
        registry.counter(PREFIX + "alerts", "experiment_id", experimentId, "judge", judge, "outcome", outcome)
                .increment();
    }

    /** A finished round of alert evaluation. */
    public void alertRound() {
        registry.counter(PREFIX + "alerts.rounds").increment();
    }

    public void feedbackOut() {
        registry.counter(PREFIX + "feedback.out").increment();
    }

    public void lateFeedback() {
        registry.counter(PREFIX + "feedback.late").increment();
    }

    /** The config version (offset of the accepted monitor-config record) in force for a monitor's traces. */
    public void configVersion(String experimentId, long version) {
        AtomicLong gauge = configVersions.get(experimentId);
        if (gauge == null) {
            gauge = configVersions.computeIfAbsent(experimentId, id -> registry.gauge(
                    PREFIX + "monitor.config_version", Tags.of("experiment_id", id), new AtomicLong(version)));
        }
        gauge.set(version);
    }

    public AtomicLong inFlight() {
        return inFlight;
    }

    /** Judge tasks in the scoring engine's memory: submitted and not yet completed. */
    public AtomicLong pendingTasks() {
        return pendingTasks;
    }

    public JudgeBacklog judgeBacklog() {
        return judgeBacklog;
    }

    /** The sum of the counters of that name with those tags (find's {@code counter()} would pick one of them). */
    public double count(String name, String... tags) {
        return registry.find(PREFIX + name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }
}
