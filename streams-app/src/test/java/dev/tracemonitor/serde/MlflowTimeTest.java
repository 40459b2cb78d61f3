package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MlflowTimeTest {

    @Test
    void fastInstantPathGivesWhatInstantParseGivesOrStepsAside() {
        List<String> texts = List.of("2025-01-01T12:00:00Z", "2025-01-01T12:00:00.1Z", "2025-01-01T12:00:00.123456789Z",
                "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2024-02-29T23:59:59.5Z", "0000-01-01T00:00:00Z",
                "2023-02-29T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T12:00:60Z", "2025-01-01T12:00:00.Z",
                "2025-01-01T12:00:00.1234567890Z", "2025-01-01T12:00:00+01:00", "+2025-01-01T12:00:00Z", "2025-1-01T12:00:00Z");
        for (String text : texts) {
            long fast = MlflowTime.fastIsoInstantMillis(text);
            if (fast != Long.MIN_VALUE) {
                assertThat(fast).as(text).isEqualTo(Instant.parse(text).toEpochMilli());
            }
        }
        assertThat(MlflowTime.fastIsoInstantMillis("2025-01-01T12:00:00.123Z")).isEqualTo(1_735_732_800_123L);
        assertThat(MlflowTime.fastIsoInstantMillis("2023-02-29T00:00:00Z")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> Instant.parse("2023-02-29T00:00:00Z")).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void instantsAreIsoTextOrEpochMillisInText() {
        assertThat(MlflowTime.instantMillis("2025-01-01T12:00:00.123Z")).isEqualTo(1_735_732_800_123L);
        assertThat(MlflowTime.instantMillis("2025-01-01T13:00:00.123+01:00")).isEqualTo(1_735_732_800_123L);
        assertThat(MlflowTime.instantMillis("1735732800123")).isEqualTo(1_735_732_800_123L);
        assertThatThrownBy(() -> MlflowTime.instantMillis("yesterday")).isInstanceOf(NumberFormatException.class);
        assertThat(MlflowTime.formatInstant(1_735_732_800_123L)).isEqualTo("2025-01-01T12:00:00.123Z");
    }

    @Test
    void durationsReadInBothFormsAndWriteAsSecondsWithThreeDecimals() {
        assertThat(MlflowTime.durationMillis("1.5s")).isEqualTo(1500);
        assertThat(MlflowTime.durationMillis("PT2.25S")).isEqualTo(2250);
        assertThat(MlflowTime.formatDuration(1500)).isEqualTo("1.500s");
        assertThat(MlflowTime.formatDuration(7)).isEqualTo("0.007s");
        assertThat(MlflowTime.formatDuration(-1500)).isEqualTo("-1.500s");
        assertThat(MlflowTime.durationRoundTrips(123_456_789_012L)).isTrue();
        assertThat(MlflowTime.durationRoundTrips(9_007_199_254_740_993L)).isFalse();
    }
}
