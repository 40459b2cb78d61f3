package dev.tracemonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FlushScheduleTest {

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void alignedFlushesFallOnMultiplesOfTheIntervalSinceTheEpoch() {
        FlushSchedule schedule = new FlushSchedule(Duration.ofMinutes(15), true);

        assertThat(schedule.nextAfter(at("2025-03-01T10:07:30Z"))).isEqualTo(at("2025-03-01T10:15:00Z"));
        assertThat(schedule.nextAfter(at("2025-03-01T10:15:00Z"))).isEqualTo(at("2025-03-01T10:30:00Z"));
        assertThat(schedule.nextAfter(at("2025-03-01T23:59:59.999Z"))).isEqualTo(at("2025-03-02T00:00:00Z"));
    }

    @Test
    void unalignedFlushesComeOneIntervalAfterNow() {
        FlushSchedule schedule = new FlushSchedule(Duration.ofMinutes(15), false);

        assertThat(schedule.nextAfter(at("2025-03-01T10:07:30Z"))).isEqualTo(at("2025-03-01T10:22:30Z"));
    }
}
