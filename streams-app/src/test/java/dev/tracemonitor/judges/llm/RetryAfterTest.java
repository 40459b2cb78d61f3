package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void delaySecondsAndHttpDates() {
        assertThat(RetryAfter.parse("7", CLOCK)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(" 1.5 ", CLOCK)).isEqualTo(Duration.ofMillis(1500));
        assertThat(RetryAfter.parse("Sun, 01 Jun 2025 12:00:30 GMT", CLOCK)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Sun, 01 Jun 2025 11:00:00 GMT", CLOCK)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", CLOCK)).isNull();
        assertThat(RetryAfter.parse("-3", CLOCK)).isNull();
    }

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        HttpHeaders headers = HttpHeaders.of(Map.of("Retry-After", List.of("20"), "retry-after-ms", List.of("250")),
                (name, value) -> true);

        assertThat(RetryAfter.from(headers, CLOCK)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void headerNamesAreCaseInsensitiveAndAbsenceIsNoHint() {
        assertThat(RetryAfter.from(HttpHeaders.of(Map.of("RETRY-AFTER", List.of("3")), (n, v) -> true), CLOCK))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(RetryAfter.from(HttpHeaders.of(Map.of(), (n, v) -> true), CLOCK)).isNull();
    }
}
