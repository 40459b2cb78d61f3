package dev.tracemonitor.topology;

import dev.tracemonitor.otlp.OtlpEncoding;
import dev.tracemonitor.otlp.OtlpExperiments;
import java.time.Duration;

/**
 * How the OTLP input is read and its spans assembled into traces: the encoding of its messages, where a trace's
 * experiment comes from, the quiet period after a trace's root span during which no span came, the longest a trace is
 * held whatever comes, the most spans held per trace (the bytes held per trace are bounded by the trace limit,
 * {@link TraceMonitorTopology.Settings#maxTraceBytes()}), and what becomes of a trace that names no experiment.
 */
public record OtlpSettings(OtlpEncoding encoding, OtlpExperiments experiments, Duration quietPeriod, Duration maxWait,
                           int maxSpans, Unmapped unmapped) {

    /** What becomes of a trace whose spans name no experiment, by attribute or by service. */
    public enum Unmapped {
        /** Its spans, merged, go to the dead-letter topic with reason {@code no_experiment}. */
        DEAD_LETTER("dead-letter"),
        /** It is counted in {@code trace_monitor_otlp_dropped_total{reason="no_experiment"}} and dropped. */
        DROP("drop");

        private final String configName;

        Unmapped(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static Unmapped of(String configName) {
            for (Unmapped value : values()) {
                if (value.configName.equals(configName)) {
                    return value;
                }
            }
            throw new IllegalArgumentException("not dead-letter or drop: " + configName);
        }
    }

    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_SPANS = 10_000;

    public static OtlpSettings defaults(OtlpEncoding encoding) {
        return new OtlpSettings(encoding, OtlpExperiments.byAttribute(), DEFAULT_QUIET_PERIOD, DEFAULT_MAX_WAIT,
                DEFAULT_MAX_SPANS, Unmapped.DEAD_LETTER);
    }
}
