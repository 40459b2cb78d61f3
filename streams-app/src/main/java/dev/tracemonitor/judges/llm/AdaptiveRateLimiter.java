package dev.tracemonitor.judges.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Lets at most {@code floor(limit)} HTTP calls to one model of one endpoint reach it in any sliding window of one
 * second. Two rules: turns are spaced {@code (1 s + MARGIN) / rate} apart, with no burst, so {@code rate + 1}
 * consecutive turns span more than a second; and a log of the last {@code floor(limit)} turns gives no turn while they
 * all arrived less than {@code 1 s +} {@link #MARGIN} ago, which holds whatever the rate did before, and a fractional
 * limit to its whole part. A turn is first logged at the moment it is taken; when its call ends, it is moved to the
 * end minus the quickest call seen, so a call that was slow on its way (a new connection, a stalled thread) counts
 * from about when it arrived, not from when it left. Turns are decided when they start, never reserved ahead, so
 * every decision sees what the calls before it showed. Adapts to throttling as MLflow's {@code RPSRateLimiter} does
 * (AIMD): a 429 halves the rate (at most once per {@link #DECREASE_COOLDOWN}, never below {@link #MIN_RATE}) and
 * pauses every call until the server's Retry-After; each successful call adds {@code 1 / rate} back, up to the
 * configured rate, so the rate grows back by about one call per second each second. Without a configured rate (0)
 * calls are not spaced, but a 429 still pauses them for its Retry-After. Called on judge worker threads only, so
 * waiting here never holds up a stream thread.
 */
final class AdaptiveRateLimiter {

    /** One call's entry in the log: from when it counts as having reached the endpoint. */
    static final class Turn {
        private final long taken;
        private long arrived;

        private Turn(long taken) {
            this.taken = taken;
            this.arrived = taken;
        }
    }

    static final double MIN_RATE = 0.1;
    static final Duration DECREASE_COOLDOWN = Duration.ofSeconds(1);
    static final Duration DEFAULT_PAUSE = Duration.ofSeconds(1);
    static final Duration MARGIN = Duration.ofMillis(50);
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1) + MARGIN.toNanos();

    private final double maxRate;
    private final LongSupplier nanoClock;
    private final List<Turn> recentTurns = new ArrayList<>();
    private final int turnsPerWindow;
    private double rate;
    private long nextFreeNanos;
    private long quickestCallNanos = Long.MAX_VALUE;
    private long lastDecreaseNanos;
    private boolean decreased;

    AdaptiveRateLimiter(double maxRatePerSecond) {
        this(maxRatePerSecond, System::nanoTime);
    }

    AdaptiveRateLimiter(double maxRatePerSecond, LongSupplier nanoClock) {
        this.maxRate = Math.max(0, maxRatePerSecond);
        this.rate = this.maxRate;
        this.turnsPerWindow = Math.max(1, (int) Math.floor(this.maxRate));
        this.nanoClock = nanoClock;
        this.nextFreeNanos = nanoClock.getAsLong();
    }

    /** Waits for this call's turn; hand it back to {@link #ended(Turn)} when the call ends. */
    Turn acquire() throws InterruptedException {
        Turn turn;
        while ((turn = tryTake()) == null) {
            LockSupport.parkNanos(nanosUntilFree());
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        return turn;
    }

    /** The turn, if a call may start now; null if not. */
    synchronized Turn tryTake() {
        if (nanosUntilFree() > 0) {
            return null;
        }
        long now = nanoClock.getAsLong();
        Turn turn = new Turn(now);
        if (maxRate > 0) {
            recentTurns.add(turn);
            nextFreeNanos = now + intervalNanos();
        }
        return turn;
    }

    /** How long until a call may start (0: now). */
    synchronized long nanosUntilFree() {
        long now = nanoClock.getAsLong();
        long wait = Math.max(0, nextFreeNanos - now);
        recentTurns.removeIf(t -> t.arrived + WINDOW_NANOS <= now);
        if (recentTurns.size() >= turnsPerWindow) {
            long firstExpiry = recentTurns.stream().mapToLong(t -> t.arrived + WINDOW_NANOS).min().orElseThrow();
            wait = Math.max(wait, firstExpiry - now);
        }
        return wait;
    }

    /** The call of {@code turn} ended (answered, failed or throttled): it arrived no later than now. */
    synchronized void ended(Turn turn) {
        long now = nanoClock.getAsLong();
        quickestCallNanos = Math.min(quickestCallNanos, now - turn.taken);
        turn.arrived = Math.max(turn.arrived, now - quickestCallNanos);
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
        return (long) Math.ceil(WINDOW_NANOS / rate);
    }
}
