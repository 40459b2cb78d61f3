package dev.tracemonitor.judges.local;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.model.AssessmentSource;
import java.time.Duration;
import dev.tracemonitor.judges.template.JudgeTemplate;
import java.util.List;

/**
 * The offline judge backend (the quickstart default, no API key): sentence embeddings from all-MiniLM-L6-v2 (int8-quantised) for
 * relevance_to_query, chunk_relevance and groundedness, documented rules plus exemplar similarity for safety, and an explicit
 * error for guidelines and for judges that name a model. One instance serves every monitor; its judges share one thread-safe embedding model, which is
 * loaded on first use: about one second, a transient need of some 300 MB of heap, and about 0.5 GB more resident
 * memory. Call {@link #warmUp()} at startup to pay that up front rather than in the first judge call.
 */
public final class LocalJudgeBackend implements JudgeBackend {

    /** Prefix of the {@code source_id} of every Assessment this backend produces; the judge name follows. */
    public static final String SOURCE_ID_PREFIX = "trace-monitor/local/";

    private final LocalJudgeSettings settings;
    private final SentenceEmbedder embedder;
    private final SafetyClassifier safety;

    public LocalJudgeBackend() {
        this(LocalJudgeSettings.defaults());
    }

    public LocalJudgeBackend(LocalJudgeSettings settings) {
        this.settings = settings;
        this.embedder = new SentenceEmbedder(settings.embeddingThreads(), settings.embeddingCacheSize());
        this.safety = new SafetyClassifier(embedder, settings.blockedTerms(), settings.safetyThreshold(),
                settings.safetyMargin());
    }

    public LocalJudgeSettings settings() {
        return settings;
    }

    /** A builtin judge; one that names a {@code model} is an error judge ({@link UnsupportedJudge}), as there is none to pick. */
    @Override
    public Judge builtin(BuiltinJudge builtin, String model) {
        Judge judge = switch (builtin) {
            case SAFETY -> new SafetyJudge(safety);
            case RELEVANCE_TO_QUERY -> new RelevanceToQueryJudge(embedder, settings.relevanceThreshold());
            case CHUNK_RELEVANCE -> new ChunkRelevanceJudge(embedder, settings.chunkRelevanceThreshold());
            case GROUNDEDNESS -> new GroundednessJudge(embedder, settings);
        };
        return model == null ? judge : UnsupportedJudge.of(builtin.wireName(), UnsupportedJudge.modelMessage(model));
    }

    @Override
    public Judge template(JudgeTemplate template, String model) {
        return UnsupportedJudge.of(template.name(), UnsupportedJudge.TEMPLATE_MESSAGE);
    }

    @Override
    public Judge guidelines(String name, List<String> guidelines, String model) {
        return UnsupportedJudge.of(name, UnsupportedJudge.GUIDELINES_MESSAGE);
    }

    /** Loads the embedding model now rather than on the first judge call; returns the time it took (zero if loaded). */
    public Duration warmUp() {
        return embedder.load();
    }

    @Override
    public void close() {
        embedder.close();
    }

    static AssessmentSource source(String judgeName) {
        return new AssessmentSource(AssessmentSource.CODE, SOURCE_ID_PREFIX + judgeName);
    }
}
