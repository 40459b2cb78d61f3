package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdaptiveRateLimiterTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);

    /** Waits (on the fake clock) for the next turn and says how long that took. */
    private long waitForTurn(AdaptiveRateLimiter limiter) {
        long before = clock.get();
        AdaptiveRateLimiter.Turn turn;
        while ((turn = limiter.tryTake()) == null) {
            clock.addAndGet(limiter.nanosUntilFree());
        }
        assertThat(turn).isNotNull();
        return clock.get() - before;
    }

    @Test
    void spacesCallsASecondAndTheMarginOverTheRateApartWithNoBurstAfterIdling() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(10, clock::get);
        clock.addAndGet(5_000 * MS);
        assertThat(waitForTurn(limiter)).isZero();
        assertThat(waitForTurn(limiter)).isEqualTo(105 * MS);
        clock.addAndGet(40 * MS);
        assertThat(waitForTurn(limiter)).isEqualTo(65 * MS);
    }

    @Test
    void noTurnComesWhileTheLastLimitCallsArrivedWithinASecondAndTheMargin() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(2.5, clock::get);
        assertThat(waitForTurn(limiter)).isZero();
        assertThat(waitForTurn(limiter)).isEqualTo(420 * MS);
        assertThat(waitForTurn(limiter)).as("a fractional limit allows its whole part in a window").isEqualTo(630 * MS);
        assertThat(waitForTurn(limiter)).isEqualTo(420 * MS);
    }

    @Test
    void aCallSlowOnItsWayCountsFromAboutWhenItArrived() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(2, clock::get);
        AdaptiveRateLimiter.Turn quick = limiter.tryTake();
        clock.addAndGet(20 * MS);
        limiter.ended(quick);
        clock.addAndGet(505 * MS);
        AdaptiveRateLimiter.Turn slow = limiter.tryTake();
        assertThat(slow).isNotNull();
        clock.addAndGet(300 * MS);
        limiter.ended(slow);
        clock.addAndGet(225 * MS);
        assertThat(limiter.tryTake()).as("the quick call's second is over").isNotNull();
        assertThat(limiter.nanosUntilFree()).as("the slow call left at 525 ms but arrived by 805 ms")
                .isEqualTo(805 * MS);
    }

    @Test
    void anyLimitPlusOneConsecutiveTurnsSpanMoreThanASecondWhileTheRateHalvesAndGrowsBack() {
        int limit = 5;
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(limit, clock::get);
        List<Long> turns = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            waitForTurn(limiter);
            turns.add(clock.get());
            if (i % 40 == 7) {
                limiter.onThrottled(Duration.ZERO);
            } else {
                limiter.onSuccess();
            }
            clock.addAndGet(i % 3 == 0 ? 0 : 300 * MS);
        }
        for (int i = limit; i < turns.size(); i++) {
            assertThat(turns.get(i) - turns.get(i - limit)).isGreaterThan(TimeUnit.SECONDS.toNanos(1));
        }
    }

    @Test
    void aThrottleHalvesTheRatePausesForRetryAfterAndSuccessesGrowItBackToTheLimit() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(8, clock::get);
        waitForTurn(limiter);
        limiter.onThrottled(Duration.ofSeconds(2));
        assertThat(limiter.rate()).isEqualTo(4.0);
        limiter.onThrottled(null);
        assertThat(limiter.rate()).as("one decrease per cooldown").isEqualTo(4.0);
        assertThat(waitForTurn(limiter)).isEqualTo(2_000 * MS);
        assertThat(waitForTurn(limiter)).isEqualTo(262_500_000L);
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
        assertThat(waitForTurn(limiter)).isZero();
        assertThat(waitForTurn(limiter)).isZero();
        limiter.onThrottled(Duration.ofSeconds(3));
        assertThat(limiter.rate()).isZero();
        assertThat(waitForTurn(limiter)).isEqualTo(3_000 * MS);
    }
}
