package dev.tracemonitor.judges.llm;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Spaces the HTTP calls to one model of one endpoint at least {@code 1 / rate} apart, with no burst, so that the
 * endpoint sees at most {@code rate} calls in any one-second window (a call's network delay can shift its arrival by
 * up to one interval). Adapts to throttling as MLflow's {@code RPSRateLimiter} does (AIMD): a 429 halves the rate (at
 * most once per {@link #DECREASE_COOLDOWN}, never below {@link #MIN_RATE}) and pauses every call until the server's
 * Retry-After; each successful call adds {@code 1 / rate} back, up to the configured rate, so the rate grows back by
 * about one call per second each second. Without a configured rate (0) calls are not spaced, but a 429 still pauses
 * them for its Retry-After. Called on judge worker threads only, so waiting here never holds up a stream thread.
 */
final class AdaptiveRateLimiter {

    static final double MIN_RATE = 0.1;
    static final Duration DECREASE_COOLDOWN = Duration.ofSeconds(1);
    static final Duration DEFAULT_PAUSE = Duration.ofSeconds(1);

    private final double maxRate;
    private final LongSupplier nanoClock;
    private double rate;
    private long nextFreeNanos;
    private long lastDecreaseNanos;
    private boolean decreased;

    AdaptiveRateLimiter(double maxRatePerSecond) {
        this(maxRatePerSecond, System::nanoTime);
    }

    AdaptiveRateLimiter(double maxRatePerSecond, LongSupplier nanoClock) {
        this.maxRate = Math.max(0, maxRatePerSecond);
        this.rate = this.maxRate;
        this.nanoClock = nanoClock;
        this.nextFreeNanos = nanoClock.getAsLong();
    }

    /** Waits for this call's turn. */
    void acquire() throws InterruptedException {
        long waitUntil = nanoClock.getAsLong() + reserve();
        long remaining;
        while ((remaining = waitUntil - nanoClock.getAsLong()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Takes the next turn and says how many nanoseconds from now it is. */
    synchronized long reserve() {
        long now = nanoClock.getAsLong();
        long at = Math.max(nextFreeNanos, now);
        nextFreeNanos = maxRate == 0 ? at : at + intervalNanos();
        return at - now;
    }

    /** A 429: halve the rate and let no call start before {@code retryAfter} (null: {@link #DEFAULT_PAUSE}). */
    synchronized void onThrottled(Duration retryAfter) {
        long now = nanoClock.getAsLong();
        if (maxRate > 0 && (!decreased || now - lastDecreaseNanos >= DECREASE_COOLDOWN.toNanos())) {
            rate = Math.max(Math.min(MIN_RATE, maxRate), rate / 2);
            lastDecreaseNanos = now;
            decreased = true;
        }
        long pause = (retryAfter == null ? DEFAULT_PAUSE : retryAfter).toNanos();
        nextFreeNanos = Math.max(nextFreeNanos, now + pause);
    }

    /** A call that was not throttled: grow the rate back towards the configured one. */
    synchronized void onSuccess() {
        if (maxRate > 0) {
            rate = Math.min(maxRate, rate + 1 / rate);
        }
    }

    /** The calls per second allowed now (0: unlimited). */
    synchronized double rate() {
        return rate;
    }

    private long intervalNanos() {
        return (long) (TimeUnit.SECONDS.toNanos(1) / rate);
    }
}
