package dev.tracemonitor.judges.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where and how the LLM judge backend calls its model: an OpenAI-compatible chat-completions endpoint (OpenAI, Azure
 * OpenAI's v1 API, vLLM, Ollama, LiteLLM, Databricks serving endpoints). {@code baseUrl} is the URL that
 * {@code /chat/completions} is appended to, e.g. {@code https://api.openai.com/v1}. {@code apiKey} is null for an
 * endpoint that needs none. {@code timeout} bounds one model call, connection included. {@code temperature} and
 * {@code maxTokens} are left out of the request when null (some reasoning models reject them). {@code prices} give
 * each call's cost.
 */
public record LlmSettings(String baseUrl, String model, ApiKey apiKey, Duration timeout, Double temperature,
                          Integer maxTokens, ReplyFormat replyFormat, ModelPrices prices) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final double DEFAULT_TEMPERATURE = 0.0;
    public static final int DEFAULT_MAX_TOKENS = 512;

    /**
     * How the request asks for the JSON verdict. Whatever the format, the reply is parsed strictly; the formats differ
     * in how much the endpoint itself enforces.
     */
    public enum ReplyFormat {
        /** {@code response_format} {@code json_schema}, strict: the endpoint constrains the reply to the schema. */
        JSON_SCHEMA,
        /** {@code response_format} {@code json_object}: for endpoints without structured outputs. */
        JSON_OBJECT,
        /** No {@code response_format}: only the prompt asks for JSON. */
        TEXT
    }

    public LlmSettings {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("the judge endpoint's base URL is empty");
        }
        URI uri = URI.create(baseUrl.strip());
        if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("the judge endpoint's base URL must be an http(s) URL: " + baseUrl);
        }
        baseUrl = baseUrl.strip();
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("the judge model name is empty");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the judge call timeout must be positive: " + timeout);
        }
        if (maxTokens != null && maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
        }
        if (replyFormat == null) {
            replyFormat = ReplyFormat.JSON_SCHEMA;
        }
        if (prices == null) {
            prices = ModelPrices.none();
        }
    }

    /** The defaults: a {@value #DEFAULT_TEMPERATURE} temperature, {@value #DEFAULT_MAX_TOKENS} tokens, strict schema. */
    public static LlmSettings of(String baseUrl, String model, ApiKey apiKey, Duration timeout) {
        return new LlmSettings(baseUrl, model, apiKey, timeout, DEFAULT_TEMPERATURE, DEFAULT_MAX_TOKENS,
                ReplyFormat.JSON_SCHEMA, ModelPrices.none());
    }

    /**
     * Settings from configuration values: the key is read from the environment variable named
     * {@code apiKeyEnvironmentVariable} or from the file {@code apiKeyFile} (at most one of them set; neither for an
     * endpoint without a key), and a null timeout means {@link #DEFAULT_TIMEOUT}.
     */
    public static LlmSettings fromConfig(String baseUrl, String model, String apiKeyEnvironmentVariable,
                                         String apiKeyFile, Duration timeout) {
        return fromConfig(baseUrl, model, apiKeyEnvironmentVariable, apiKeyFile, timeout, System.getenv());
    }

    public static LlmSettings fromConfig(String baseUrl, String model, String apiKeyEnvironmentVariable,
                                         String apiKeyFile, Duration timeout, Map<String, String> environment) {
        return of(baseUrl, model, ApiKey.resolve(apiKeyEnvironmentVariable, apiKeyFile, environment),
                timeout == null ? DEFAULT_TIMEOUT : timeout);
    }

    public LlmSettings withTimeout(Duration value) {
        return new LlmSettings(baseUrl, model, apiKey, value, temperature, maxTokens, replyFormat, prices);
    }

    public LlmSettings withReplyFormat(ReplyFormat value) {
        return new LlmSettings(baseUrl, model, apiKey, timeout, temperature, maxTokens, value, prices);
    }

    public LlmSettings withPrices(ModelPrices value) {
        return new LlmSettings(baseUrl, model, apiKey, timeout, temperature, maxTokens, replyFormat, value);
    }

    /** The key with which to redact text: a no-op without a key. */
    String redact(String text) {
        return apiKey == null ? text : apiKey.redact(text);
    }
}
