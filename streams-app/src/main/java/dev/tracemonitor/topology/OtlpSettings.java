package dev.tracemonitor.topology;

import dev.tracemonitor.otlp.OtlpEncoding;
import dev.tracemonitor.otlp.OtlpExperiments;
import java.time.Duration;

/**
 * How the OTLP input is read and its spans assembled into traces: the encoding of its messages, where a trace's
 * experiment comes from, the quiet period after a trace's root span during which no span came, the longest a trace is
 * held whatever comes, and the most spans held per trace (the bytes held per trace are bounded by the trace limit,
 * {@link TraceMonitorTopology.Settings#maxTraceBytes()}).
 */
public record OtlpSettings(OtlpEncoding encoding, OtlpExperiments experiments, Duration quietPeriod, Duration maxWait,
                           int maxSpans) {

    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_SPANS = 10_000;

    public static OtlpSettings defaults(OtlpEncoding encoding) {
        return new OtlpSettings(encoding, OtlpExperiments.byAttribute(), DEFAULT_QUIET_PERIOD, DEFAULT_MAX_WAIT,
                DEFAULT_MAX_SPANS);
    }
}
