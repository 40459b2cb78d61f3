package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdaptiveRateLimiterTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);

    @Test
    void spacesCallsOneIntervalApartWithNoBurstAfterIdling() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(10, clock::get);
        clock.addAndGet(5_000 * MS);
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isEqualTo(100 * MS);
        assertThat(limiter.reserve()).isEqualTo(200 * MS);
        clock.addAndGet(250 * MS);
        assertThat(limiter.reserve()).isEqualTo(50 * MS);
    }

    @Test
    void aThrottleHalvesTheRatePausesForRetryAfterAndSuccessesGrowItBackToTheLimit() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(8, clock::get);
        limiter.reserve();
        limiter.onThrottled(Duration.ofSeconds(2));
        assertThat(limiter.rate()).isEqualTo(4.0);
        assertThat(limiter.reserve()).isEqualTo(2_000 * MS);
        assertThat(limiter.reserve()).isEqualTo(2_250 * MS);
        limiter.onThrottled(null);
        assertThat(limiter.rate()).as("one decrease per cooldown").isEqualTo(4.0);
        clock.addAndGet(AdaptiveRateLimiter.DECREASE_COOLDOWN.toNanos());
        limiter.onThrottled(null);
        assertThat(limiter.rate()).isEqualTo(2.0);
        limiter.onSuccess();
        assertThat(limiter.rate()).isEqualTo(2.5);
        for (int i = 0; i < 100; i++) {
            limiter.onSuccess();
        }
        assertThat(limiter.rate()).isEqualTo(8.0);
    }

    @Test
    void unlimitedCallsAreNotSpacedButAThrottlePausesThem() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(0, clock::get);
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isZero();
        limiter.onThrottled(Duration.ofSeconds(3));
        assertThat(limiter.rate()).isZero();
        assertThat(limiter.reserve()).isEqualTo(3_000 * MS);
    }
}
