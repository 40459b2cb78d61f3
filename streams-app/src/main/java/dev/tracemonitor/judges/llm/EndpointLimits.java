package dev.tracemonitor.judges.llm;

import java.time.Duration;

/**
 * How hard the LLM backend may use its endpoint: the most HTTP calls per second to each model (0: unlimited; every
 * judge of that model shares it, and it adapts to 429s, see {@link AdaptiveRateLimiter}), and how long the endpoint's
 * circuit breaker stays open, calling nothing, once most recent calls failed with a timeout, a connection error, 408
 * or 5xx.
 */
public record EndpointLimits(double callsPerSecond, Duration breakerOpenWait) {

    public static final double DEFAULT_CALLS_PER_SECOND = 0.0;
    public static final Duration DEFAULT_BREAKER_OPEN_WAIT = Duration.ofSeconds(15);

    public EndpointLimits {
        if (callsPerSecond < 0) {
            throw new IllegalArgumentException("calls per second must not be negative: " + callsPerSecond);
        }
        if (breakerOpenWait == null || breakerOpenWait.isNegative() || breakerOpenWait.isZero()) {
            throw new IllegalArgumentException("the circuit breaker's open wait must be positive: " + breakerOpenWait);
        }
    }

    public static EndpointLimits defaults() {
        return new EndpointLimits(DEFAULT_CALLS_PER_SECOND, DEFAULT_BREAKER_OPEN_WAIT);
    }

    public EndpointLimits withCallsPerSecond(double value) {
        return new EndpointLimits(value, breakerOpenWait);
    }
}
