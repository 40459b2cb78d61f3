package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmSettingsTest {

    private static final String KEY = "sk-test-4f9a1c2e7b";

    @Test
    void theKeyComesFromTheNamedEnvironmentVariable() {
        LlmSettings settings = LlmSettings.fromConfig("https://api.openai.com/v1", "gpt-4o-mini", "JUDGE_KEY", null,
                Duration.ofSeconds(20), Map.of("JUDGE_KEY", KEY + "\n"));

        assertThat(settings.apiKey().value()).isEqualTo(KEY);
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.temperature()).isEqualTo(0.0);
        assertThat(settings.maxTokens()).isEqualTo(LlmSettings.DEFAULT_MAX_TOKENS);
        assertThat(settings.replyFormat()).isEqualTo(LlmSettings.ReplyFormat.JSON_SCHEMA);
    }

    @Test
    void theKeyComesFromAFileWithoutItsTrailingNewline(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("key"), KEY + "\r\n");

        LlmSettings settings = LlmSettings.fromConfig("http://127.0.0.1:8000/v1", "llama", null, file.toString(), null,
                Map.of());

        assertThat(settings.apiKey().value()).isEqualTo(KEY);
        assertThat(settings.timeout()).isEqualTo(LlmSettings.DEFAULT_TIMEOUT);
    }

    @Test
    void noKeySourceMeansAnEndpointWithoutKey() {
        assertThat(LlmSettings.fromConfig("http://127.0.0.1:11434/v1", "qwen", null, null, null, Map.of()).apiKey())
                .isNull();
    }

    @Test
    void keyProblemsNameTheSourceButNeverAValue(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ApiKey.fromEnvironment("JUDGE_KEY", Map.of("JUDGE_KEY", "  ")))
                .hasMessage("the API key environment variable JUDGE_KEY is not set or empty");
        assertThatThrownBy(() -> ApiKey.fromFile(dir.resolve("missing")))
                .hasMessageStartingWith("cannot read the API key file " + dir.resolve("missing"));
        assertThatThrownBy(() -> ApiKey.resolve("JUDGE_KEY", dir.resolve("key").toString(), Map.of("JUDGE_KEY", KEY)))
                .hasMessage("set either the API key environment variable or the API key file, not both")
                .hasMessageNotContaining(KEY);
    }

    @Test
    void toStringMasksTheKey() {
        LlmSettings settings = LlmSettings.of("https://api.openai.com/v1", "gpt-4o-mini", ApiKey.of(KEY),
                Duration.ofSeconds(5));

        assertThat(settings.toString()).doesNotContain(KEY).contains("ApiKey[****]");
        assertThat(settings.apiKey().toString()).isEqualTo("ApiKey[****]");
    }

    @Test
    void redactRemovesEveryOccurrenceOfTheKey() {
        assertThat(ApiKey.of(KEY).redact("Incorrect API key provided: " + KEY + " (" + KEY + ")"))
                .isEqualTo("Incorrect API key provided: **** (****)");
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> LlmSettings.of("ftp://example.com", "m", null, Duration.ofSeconds(1)))
                .hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> LlmSettings.of("http://127.0.0.1/v1", " ", null, Duration.ofSeconds(1)))
                .hasMessageContaining("model name");
        assertThatThrownBy(() -> LlmSettings.of("http://127.0.0.1/v1", "m", null, Duration.ZERO))
                .hasMessageContaining("timeout");
    }
}
