package dev.tracemonitor.judges.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.judges.template.FeedbackValueType;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.RetryableJudgeException;
import dev.tracemonitor.judges.CallMemo;
import dev.tracemonitor.judges.Verdict;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One judge question to a model: a system and a user message in, the reply text out, through the endpoint's
 * {@link EndpointGate} (circuit breaker, the model's rate limit) and remembered in the task's {@link CallMemo}. The endpoint's client (one HTTP
 * client, one set of request defaults) is shared by every model: {@link #named(String)} gives a handle that sends
 * another model name in each request and carries it as the Assessment source. Exactly one HTTP call, no
 * retry (LangChain4j's maxRetries is 0): the scoring engine owns retries, so a failure is translated for it: timeouts,
 * 429, 408, 5xx and network errors become {@link RetryableJudgeException} (with the server's Retry-After), other HTTP
 * errors {@link PermanentJudgeException} with code {@code HTTP_<status>}. Every message is built here from the status
 * and a redacted excerpt of the error body; no LangChain4j exception (whose message is the raw body) is passed on.
 * Thread-safe: one instance serves all judges of a backend.
 */
final class JudgeModel {

    static final String INVALID_RESPONSE = "INVALID_RESPONSE";
    static final String CLIENT_ERROR = "LLM_CLIENT_ERROR";

    private static final int ERROR_EXCERPT_CHARS = 300;

    private final ChatModel chat;
    private final LlmSettings settings;
    private final EndpointGate gate;
    private final String modelName;
    private final AssessmentSource source;

    /** The endpoint's client, asking the settings' default model, without limits. */
    JudgeModel(LlmSettings settings) {
        this(settings, EndpointLimits.defaults());
    }

    /** The endpoint's client, asking the settings' default model, every call through one {@link EndpointGate}. */
    JudgeModel(LlmSettings settings, EndpointLimits limits) {
        this(client(settings), settings, new EndpointGate(settings.baseUrl(), limits), settings.model());
    }

    private JudgeModel(ChatModel chat, LlmSettings settings, EndpointGate gate, String modelName) {
        this.chat = chat;
        this.settings = settings;
        this.gate = gate;
        this.modelName = modelName;
        this.source = new AssessmentSource(AssessmentSource.LLM_JUDGE, modelName);
    }

    /**
     * The same endpoint, client and gate asking {@code model} instead (this one when null or the same name); the
     * rate limit is the model's, whichever handle asks.
     */
    JudgeModel named(String model) {
        return model == null || model.equals(modelName) ? this : new JudgeModel(chat, settings, gate, model);
    }

    /** False while the endpoint's circuit breaker is open. */
    boolean acceptsCalls() {
        return gate.acceptsCalls();
    }

    EndpointGate gate() {
        return gate;
    }

    String modelName() {
        return modelName;
    }

    private static ChatModel client(LlmSettings settings) {
        OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                .httpClientBuilder(StatusKeepingHttpClient.builder())
                .baseUrl(settings.baseUrl())
                .modelName(settings.model())
                .timeout(settings.timeout())
                .maxRetries(0)
                .logRequests(false)
                .logResponses(false)
                .temperature(settings.temperature())
                .maxTokens(settings.maxTokens());
        if (settings.apiKey() != null) {
            builder.apiKey(settings.apiKey().value());
        }
        switch (settings.replyFormat()) {
            case JSON_SCHEMA -> builder.responseFormat(verdictSchema()).strictJsonSchema(true);
            case JSON_OBJECT -> builder.responseFormat(ResponseFormat.JSON);
            case TEXT -> {
            }
        }
        return builder.build();
    }

    AssessmentSource source() {
        return source;
    }

    /**
     * The reply, its text redacted (null if the model sent no content), with the tokens the endpoint says the call
     * used: the one a previous attempt of the task received for the same request, or one HTTP call through the gate.
     */
    CallMemo.Reply ask(String system, String user, CallMemo memo)
            throws RetryableJudgeException, PermanentJudgeException, InterruptedException {
        return ask(system, user, new FeedbackValueType.YesNo(), memo);
    }

    /** As {@link #ask(String, String, CallMemo)}, the strict reply schema (when used) asking for a result of this type. */
    CallMemo.Reply ask(String system, String user, FeedbackValueType type, CallMemo memo)
            throws RetryableJudgeException, PermanentJudgeException, InterruptedException {
        String key = requestKey(system, user);
        CallMemo.Reply known = memo.reply(key);
        if (known != null) {
            return known;
        }
        CallMemo.Reply reply = gate.call(modelName, () -> call(system, user, type));
        memo.remember(key, reply);
        return reply;
    }

    /**
     * What a reply's call used, as Assessment metadata: {@link Verdict#INPUT_TOKENS_KEY} and
     * {@link Verdict#OUTPUT_TOKENS_KEY} when the endpoint reported them, and {@link Verdict#COST_KEY} (US dollars)
     * when this model has a price.
     */
    Map<String, String> usage(CallMemo.Reply reply) {
        Map<String, String> usage = new LinkedHashMap<>();
        if (reply.inputTokens() != null) {
            usage.put(Verdict.INPUT_TOKENS_KEY, Long.toString(reply.inputTokens()));
        }
        if (reply.outputTokens() != null) {
            usage.put(Verdict.OUTPUT_TOKENS_KEY, Long.toString(reply.outputTokens()));
        }
        BigDecimal cost = settings.prices().cost(modelName, reply.inputTokens(), reply.outputTokens());
        if (cost != null) {
            usage.put(Verdict.COST_KEY, cost.toPlainString());
        }
        return usage;
    }

    private String requestKey(String system, String user) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String part : List.of(modelName, system, user)) {
            digest.update(part.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private CallMemo.Reply call(String system, String user, FeedbackValueType type)
            throws RetryableJudgeException, PermanentJudgeException, InterruptedException {
        ChatResponse response;
        try {
            ChatRequest.Builder request = ChatRequest.builder()
                    .messages(SystemMessage.from(system), UserMessage.from(user))
                    .modelName(modelName);
            if (settings.replyFormat() == LlmSettings.ReplyFormat.JSON_SCHEMA
                    && !(type instanceof FeedbackValueType.YesNo)) {
                request.responseFormat(verdictSchema(type));
            }
            response = chat.chat(request.build());
        } catch (RuntimeException e) {
            Exception translated = translate(e);
            if (translated instanceof PermanentJudgeException permanent) {
                throw permanent;
            }
            throw (RetryableJudgeException) translated;
        }
        String text = response.aiMessage() == null ? null : settings.redact(response.aiMessage().text());
        TokenUsage tokens = response.tokenUsage();
        return new CallMemo.Reply(text, tokens == null ? null : count(tokens.inputTokenCount()),
                tokens == null ? null : count(tokens.outputTokenCount()));
    }

    private static Long count(Integer tokens) {
        return tokens == null || tokens < 0 ? null : Long.valueOf(tokens);
    }

    private Exception translate(RuntimeException failure) throws InterruptedException {
        HttpStatusException http = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof InterruptedException) {
                Thread.interrupted();
                throw new InterruptedException("interrupted while waiting for the judge endpoint");
            }
            if (cause instanceof HttpStatusException status && http == null) {
                http = status;
            }
        }
        if (http != null) {
            return fromStatus(http);
        }
        if (has(failure, TimeoutException.class) || has(failure, java.net.http.HttpTimeoutException.class)) {
            return new RetryableJudgeException("no reply from the judge endpoint within "
                    + seconds(settings.timeout()), null);
        }
        if (has(failure, JsonProcessingException.class)) {
            return new PermanentJudgeException(INVALID_RESPONSE,
                    "the judge endpoint answered with a body that is not a chat completion");
        }
        IOException io = find(failure, IOException.class);
        if (io != null) {
            return new RetryableJudgeException("cannot reach the judge endpoint: " + describe(io), null);
        }
        if (failure instanceof NonRetriableException) {
            return new PermanentJudgeException(CLIENT_ERROR, "the judge call failed: " + describe(failure));
        }
        return new RetryableJudgeException("the judge call failed: " + describe(failure), null);
    }

    private Exception fromStatus(HttpStatusException http) {
        int status = http.statusCode();
        String detail = "HTTP " + status + " from the judge endpoint"
                + (status == 400 || status == 404 ? " for model " + modelName : "") + excerpt(http.body());
        if (status == 429 || status == 408 || status >= 500) {
            Duration retryAfter = http.retryAfter();
            String message = retryAfter == null ? detail : detail + " (Retry-After " + seconds(retryAfter) + ")";
            return status == 429 ? new EndpointGate.ThrottledException(message, retryAfter)
                    : new RetryableJudgeException(message, retryAfter);
        }
        return new PermanentJudgeException("HTTP_" + status, detail);
    }

    /** ": " and the error body's {@code error.message} (or the body), redacted and cut; empty without a body. */
    private String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode parsed = Json.parseOrNull(body);
        JsonNode message = parsed == null ? null : parsed.path("error").path("message");
        String text = message != null && message.isTextual() ? message.textValue()
                : parsed != null && parsed.path("error").isTextual() ? parsed.path("error").textValue()
                : body;
        return ": " + ReplyParser.quote(settings.redact(text), ERROR_EXCERPT_CHARS);
    }

    private String describe(Throwable failure) {
        String message = failure.getMessage();
        String text = failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return ReplyParser.quote(settings.redact(text), ERROR_EXCERPT_CHARS);
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
    }

    private static boolean has(Throwable failure, Class<? extends Throwable> type) {
        return find(failure, type) != null;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    private static ResponseFormat verdictSchema() {
        return verdictSchema(new FeedbackValueType.YesNo());
    }

    /** The strict schema of a verdict whose result is of this type (a range is checked on parsing, not here). */
    private static ResponseFormat verdictSchema(FeedbackValueType type) {
        JsonObjectSchema.Builder verdict = JsonObjectSchema.builder().addStringProperty("rationale");
        if (type instanceof FeedbackValueType.Bool) {
            verdict.addBooleanProperty("result");
        } else if (type instanceof FeedbackValueType.IntRange) {
            verdict.addIntegerProperty("result");
        } else if (type instanceof FeedbackValueType.FloatRange) {
            verdict.addNumberProperty("result");
        } else if (type instanceof FeedbackValueType.Categories categories) {
            verdict.addEnumProperty("result", categories.labels());
        } else {
            verdict.addEnumProperty("result", List.of("yes", "no"));
        }
        return ResponseFormat.builder()
                .type(ResponseFormatType.JSON)
                .jsonSchema(JsonSchema.builder()
                        .name("judge_verdict")
                        .rootElement(verdict.required("rationale", "result").additionalProperties(false).build())
                        .build())
                .build();
    }
}
