package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.testing.TestTraces;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class TraceFormatsTest {

    private static final Assessment VERDICT = new Assessment("a-1", "safety", "tr-1", null,
            new AssessmentSource(AssessmentSource.LLM_JUDGE, "safety"), 1L, 2L, Feedback.of("yes"), "fine", Map.of());

    @Test
    void jsonIsMlflowJsonBothWays() {
        byte[] json = TestTraces.chat("tr-1", "42", "What is our refund policy?", "30 days.");

        Trace trace = TraceFormats.decoder("json", Map.of()).decode("traces", json);

        assertThat(trace).isEqualTo(TraceJsonCodec.decode(json));
        assertThat(TraceFormats.encoder("JSON", Map.of()).encode("trace-feedback", VERDICT))
                .isEqualTo(TraceJsonCodec.encodeAssessment(VERDICT));
    }

    @Test
    void avroFromSettingsDecodesFramedTracesAndEncodesFramedFeedback() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            Map<String, Object> settings = Map.of(SchemaRegistrySettings.URL, registry.url(),
                    TraceFormats.AUTO_REGISTER_SCHEMAS, "true");
            Trace expected = TraceJsonCodec.decode(TestTraces.chat("tr-1", "42", "Hi?", "Hello."));
            int id = registry.preRegister("traces-value", AvroTraceCodec.SCHEMA);

            Trace trace = TraceFormats.decoder("avro", settings).decode("traces",
                    AvroTestSupport.confluentFrame(id, AvroTraceCodec.SCHEMA, AvroTraceCodec.toRecord(expected)));
            byte[] feedback = TraceFormats.encoder("avro", settings).encode("trace-feedback", VERDICT);

            assertThat(trace).isEqualTo(expected);
            assertThat(feedback[0]).isZero();
            assertThat(registry.requestsTo("/subjects/trace-feedback-value/versions")).isEqualTo(1);
        }
    }

    @Test
    void feedbackIsReadInWhicheverFormatTheServiceWroteIt() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            Map<String, Object> settings = Map.of(SchemaRegistrySettings.URL, registry.url());
            byte[] avro = TraceFormats.encoder("avro", settings).encode("trace-feedback", VERDICT);
            byte[] json = TraceFormats.encoder("json", Map.of()).encode("trace-feedback", VERDICT);

            assertThat(TraceFormats.decodeFeedback(avro)).isEqualTo(VERDICT);
            assertThat(TraceFormats.decodeFeedback(json)).isEqualTo(VERDICT);
        }
    }

    @Test
    void avroWithoutARegistryUrlOrAnUnknownFormatIsAConfigurationError() {
        assertThatThrownBy(() -> TraceFormats.decoder("avro", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> TraceFormats.encoder("protobuf", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("supported formats are json and avro");
        assertThatThrownBy(() -> TraceFormats.encoder("avro", Map.of(SchemaRegistrySettings.URL, "http://127.0.0.1:1",
                TraceFormats.USE_LATEST_VERSION, "yes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("use.latest.version");
    }

    @Test
    void settingsReadConfluentKeyNamesSeveralUrlsPasswordsAndRetryBounds() {
        SchemaRegistrySettings settings = SchemaRegistrySettings.fromConfig(Map.of(
                SchemaRegistrySettings.URL, "http://127.0.0.1:8081/, http://127.0.0.2:8081",
                SchemaRegistrySettings.REGISTRY_BASIC_AUTH_USER_INFO, new Password("bob:hunter2"),
                SchemaRegistrySettings.MAX_RETRIES, 5,
                SchemaRegistrySettings.RETRY_BACKOFF_MS, "50",
                SchemaRegistrySettings.RETRY_BACKOFF_MAX_MS, "500",
                SchemaRegistrySettings.REQUEST_TIMEOUT_MS, "3000"));

        assertThat(settings.urls()).extracting(Object::toString)
                .containsExactly("http://127.0.0.1:8081", "http://127.0.0.2:8081");
        assertThat(settings.userInfo()).isEqualTo("bob:hunter2");
        assertThat(settings.maxRetries()).isEqualTo(5);
        assertThat(settings.retryBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(settings.retryBackoffMax()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.toString()).contains("user=bob").doesNotContain("hunter2");
        assertThat(settings.sslContext()).isNull();
    }

    @Test
    void settingsRejectWhatCannotWork() {
        assertThatThrownBy(() -> SchemaRegistrySettings.fromConfig(Map.of(SchemaRegistrySettings.URL, "ftp://registry")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> SchemaRegistrySettings.fromConfig(Map.of(SchemaRegistrySettings.URL, "http://r:8081",
                SchemaRegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> SchemaRegistrySettings.fromConfig(Map.of(SchemaRegistrySettings.URL, "http://r:8081",
                SchemaRegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE, "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("supported values: USER_INFO, URL");
        assertThatThrownBy(() -> SchemaRegistrySettings.fromConfig(Map.of(SchemaRegistrySettings.URL, "http://r:8081",
                SchemaRegistrySettings.SSL_TRUSTSTORE_LOCATION, "/nonexistent/truststore.p12")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot load the truststore");
    }
}
