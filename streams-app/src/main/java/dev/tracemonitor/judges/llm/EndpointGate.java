package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.RetryableJudgeException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What every HTTP call to one endpoint passes through: the endpoint's circuit breaker (Resilience4j), which stops
 * calling an endpoint that is down and lets a few probe calls through after {@link EndpointLimits#breakerOpenWait()},
 * and the rate limiter of the model asked, shared by all judges of that endpoint and model. Only outage signals count
 * against the breaker (timeouts, connection errors, 408, 5xx); a 429 feeds the rate limiter instead, and a client
 * error shows the endpoint is up.
 */
final class EndpointGate {

    /** A call the gate runs: one HTTP request. */
    interface Call<T> {
        T run() throws RetryableJudgeException, PermanentJudgeException, InterruptedException;
    }

    private static final int WINDOW_CALLS = 20;
    private static final int MINIMUM_CALLS = 10;
    private static final float FAILURE_RATE_PERCENT = 50;
    private static final int HALF_OPEN_CALLS = 3;

    private final EndpointLimits limits;
    private final CircuitBreaker breaker;
    private final Map<String, AdaptiveRateLimiter> limiters = new ConcurrentHashMap<>();

    EndpointGate(String endpoint, EndpointLimits limits) {
        this.limits = limits;
        this.breaker = CircuitBreaker.of(endpoint, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(WINDOW_CALLS)
                .minimumNumberOfCalls(MINIMUM_CALLS)
                .failureRateThreshold(FAILURE_RATE_PERCENT)
                .waitDurationInOpenState(limits.breakerOpenWait())
                .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_CALLS)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
    }

    /** False while the breaker is open: no call would be let through. */
    boolean acceptsCalls() {
        CircuitBreaker.State state = breaker.getState();
        return state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN;
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** The calls per second now allowed to {@code model} (0: unlimited). */
    double rate(String model) {
        return limiter(model).rate();
    }

    <T> T call(String model, Call<T> call)
            throws RetryableJudgeException, PermanentJudgeException, InterruptedException {
        if (!breaker.tryAcquirePermission()) {
            throw new RetryableJudgeException("the judge endpoint's circuit breaker is open after repeated failures"
                    + " (timeouts, connection errors, 408 or 5xx); no call is made until it probes again",
                    limits.breakerOpenWait());
        }
        AdaptiveRateLimiter limiter = limiter(model);
        AdaptiveRateLimiter.Turn turn;
        try {
            turn = limiter.acquire();
        } catch (InterruptedException e) {
            breaker.releasePermission();
            throw e;
        }
        long start = System.nanoTime();
        try {
            T result = call.run();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            limiter.onSuccess();
            return result;
        } catch (RetryableJudgeException e) {
            if (e instanceof ThrottledException throttled) {
                breaker.releasePermission();
                limiter.onThrottled(throttled.retryAfter().orElse(null));
            } else {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            }
            throw e;
        } catch (PermanentJudgeException e) {
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            throw e;
        } catch (InterruptedException e) {
            breaker.releasePermission();
            throw e;
        } finally {
            limiter.ended(turn);
        }
    }

    private AdaptiveRateLimiter limiter(String model) {
        return limiters.computeIfAbsent(model, m -> new AdaptiveRateLimiter(limits.callsPerSecond()));
    }

    /** HTTP 429: the endpoint is up and asks us to slow down. */
    static final class ThrottledException extends RetryableJudgeException {
        ThrottledException(String message, java.time.Duration retryAfter) {
            super(message, retryAfter);
        }
    }
}
