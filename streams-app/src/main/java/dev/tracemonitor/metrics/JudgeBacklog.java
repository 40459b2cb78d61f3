package dev.tracemonitor.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The judge tasks waiting for a result in this instance's changelogged stores (in the engine's memory or not), summed
 * over the stream tasks that report them, and the age of the oldest: what rises when judge demand exceeds what the
 * endpoint answers, or while it is down, and drains afterwards. Each reporter (a scoring processor) replaces its own
 * figures and removes them when it closes.
 */
public final class JudgeBacklog {

    /** One reporter's figures: its waiting tasks and when its oldest was enqueued (epoch ms; none: Long.MAX_VALUE). */
    private record Figures(long tasks, long oldestEnqueuedMillis) {
    }

    private final Map<Object, Figures> byReporter = new ConcurrentHashMap<>();
    private final Clock clock;

    JudgeBacklog(MeterRegistry registry, String prefix, Clock clock) {
        this.clock = clock;
        Gauge.builder(prefix + "judge.backlog", this, JudgeBacklog::tasks)
                .description("judge tasks waiting for a result, in memory or in the store").register(registry);
        TimeGauge.builder(prefix + "judge.backlog.oldest.age", this, TimeUnit.SECONDS, JudgeBacklog::oldestAgeSeconds)
                .description("age of the oldest judge task waiting for a result").register(registry);
    }

    public void report(Object reporter, long tasks, long oldestEnqueuedMillis) {
        byReporter.put(reporter, new Figures(Math.max(0, tasks), tasks > 0 ? oldestEnqueuedMillis : Long.MAX_VALUE));
    }

    public void remove(Object reporter) {
        byReporter.remove(reporter);
    }

    public long tasks() {
        return byReporter.values().stream().mapToLong(Figures::tasks).sum();
    }

    /** Seconds since the oldest waiting task was enqueued; 0 without a backlog. */
    public double oldestAgeSeconds() {
        long oldest = byReporter.values().stream().mapToLong(Figures::oldestEnqueuedMillis).min()
                .orElse(Long.MAX_VALUE);
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
    }
}
