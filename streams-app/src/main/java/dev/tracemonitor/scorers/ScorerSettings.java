package dev.tracemonitor.scorers;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the scorer plugins are and how they run: {@code dir} holds the plugin jars (null: no plugins), {@code timeout}
 * bounds one call, and {@code threadsPerScorer} bounds the calls of one scorer running at once (so a scorer that hangs
 * holds only its own threads).
 */
public record ScorerSettings(Path dir, Duration timeout, int threadsPerScorer) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public ScorerSettings {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the scorer timeout must be positive: " + timeout);
        }
        if (threadsPerScorer < 1) {
            throw new IllegalArgumentException("threadsPerScorer must be at least 1: " + threadsPerScorer);
        }
    }

    /** No plugin directory: only a monitor's other judges run, and a named scorer is {@code SCORER_NOT_FOUND}. */
    public static ScorerSettings none() {
        return new ScorerSettings(null, DEFAULT_TIMEOUT, 1);
    }
}
