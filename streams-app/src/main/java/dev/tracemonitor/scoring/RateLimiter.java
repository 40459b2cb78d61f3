package dev.tracemonitor.scoring;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Spaces calls to one endpoint at most {@code permitsPerSecond} apart, smoothly (no bursts beyond one second's worth).
 * Called on judge worker threads only, so waiting here never holds up a stream thread.
 */
public final class RateLimiter {

    private final long intervalNanos;
    private long nextFreeNanos;

    public RateLimiter(double permitsPerSecond) {
        this.intervalNanos = permitsPerSecond <= 0 ? 0 : (long) (TimeUnit.SECONDS.toNanos(1) / permitsPerSecond);
        this.nextFreeNanos = System.nanoTime();
    }

    public static RateLimiter unlimited() {
        return new RateLimiter(0);
    }

    public void acquire() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long waitUntil;
        synchronized (this) {
            long now = System.nanoTime();
            long earliest = now - TimeUnit.SECONDS.toNanos(1) + intervalNanos;
            waitUntil = Math.max(nextFreeNanos, earliest);
            nextFreeNanos = waitUntil + intervalNanos;
        }
        long remaining;
        while ((remaining = waitUntil - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
