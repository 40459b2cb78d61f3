package dev.tracemonitor.judges.llm;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import java.net.URI;
import dev.tracemonitor.judges.template.JudgeTemplate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real judge backend: every judge asks a model on an OpenAI-compatible chat-completions endpoint, through
 * LangChain4j's OpenAiChatModel, with our own prompts ({@link Prompts}), for a strictly parsed JSON verdict. One
 * instance (one HTTP client) serves every monitor; a judge asks the settings' model unless its monitor names another,
 * which is then sent as the request's {@code model} and recorded as the Assessment's source (an endpoint that does not
 * know it answers 404 or 400: a permanent {@code HTTP_404}/{@code HTTP_400} error, not retried). Its judges are
 * thread-safe and block for the length of their calls, which the scoring engine runs on worker threads. Every HTTP call
 * passes the endpoint's circuit breaker and its model's adaptive rate limit ({@link EndpointGate}), and a task's
 * replies are remembered across its retries ({@link dev.tracemonitor.judges.CallMemo}). A call is never retried here:
 * failures surface as
 * {@link dev.tracemonitor.judges.RetryableJudgeException} (timeouts, 429 with Retry-After, 5xx) or
 * {@link dev.tracemonitor.judges.PermanentJudgeException} ({@code HTTP_401} …) for the engine to handle. The API key
 * reaches the endpoint's Authorization header and nothing else. Model calls per evaluation: one for safety,
 * relevance_to_query, guidelines and template judges, one per top-level retriever span for groundedness, one per retrieved chunk for
 * chunk_relevance.
 */
public final class LlmJudgeBackend implements JudgeBackend {

    private static final Logger LOG = LoggerFactory.getLogger(LlmJudgeBackend.class);

    private final LlmSettings settings;
    private final JudgeModel model;

    public LlmJudgeBackend(LlmSettings settings) {
        this(settings, EndpointLimits.defaults());
    }

    public LlmJudgeBackend(LlmSettings settings, EndpointLimits limits) {
        this.settings = settings;
        this.model = new JudgeModel(settings, limits);
        LOG.info("LLM judge backend: default model {} at {}, timeout {} ms, reply format {}, {}, {} calls/s per model",
                settings.model(), withoutCredentials(settings.baseUrl()), settings.timeout().toMillis(),
                settings.replyFormat(), settings.apiKey() == null ? "no API key" : "API key set",
                limits.callsPerSecond() == 0 ? "unlimited" : limits.callsPerSecond());
    }

    /** The HTTP calls per second now allowed to {@code modelName} (null: the default model); 0 means unlimited. */
    public double callsPerSecond(String modelName) {
        return model.gate().rate(modelName == null ? settings.model() : modelName);
    }

    /** Whether the endpoint's circuit breaker lets calls through (false while it is open). */
    public boolean endpointAcceptsCalls() {
        return model.acceptsCalls();
    }

    public LlmSettings settings() {
        return settings;
    }

    @Override
    public Judge builtin(BuiltinJudge judge, String modelName) {
        JudgeModel asked = model.named(modelName);
        return switch (judge) {
            case SAFETY -> new SafetyJudge(asked);
            case RELEVANCE_TO_QUERY -> new RelevanceToQueryJudge(asked);
            case GROUNDEDNESS -> new GroundednessJudge(asked);
            case CHUNK_RELEVANCE -> new ChunkRelevanceJudge(asked);
        };
    }

    @Override
    public Judge guidelines(String name, List<String> guidelines, String modelName) {
        if (guidelines == null || guidelines.isEmpty() || guidelines.stream().anyMatch(LlmJudge::isBlank)) {
            throw new IllegalArgumentException("guidelines judge '" + name + "' needs at least one guideline text, "
                    + "and none may be blank");
        }
        return new GuidelinesJudge(name, List.copyOf(guidelines), model.named(modelName));
    }

    @Override
    public Judge template(JudgeTemplate template, String modelName) {
        return new TemplateJudge(template, model.named(modelName));
    }

    /** The URL without user info, query or fragment, which may hold credentials. */
    private static String withoutCredentials(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
