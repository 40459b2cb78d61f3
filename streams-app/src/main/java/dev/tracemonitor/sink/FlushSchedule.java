package dev.tracemonitor.sink;

import java.time.Duration;

/** When the next flush is due: at multiples of the interval since the epoch (e.g. :00 :15 :30 :45), or interval after now. */
final class FlushSchedule {

    private final long intervalMillis;
    private final boolean alignToClock;

    FlushSchedule(Duration interval, boolean alignToClock) {
        this.intervalMillis = Math.max(1, interval.toMillis());
        this.alignToClock = alignToClock;
    }

    long nextAfter(long nowMillis) {
        return alignToClock
                ? (Math.floorDiv(nowMillis, intervalMillis) + 1) * intervalMillis
                : nowMillis + intervalMillis;
    }
}
