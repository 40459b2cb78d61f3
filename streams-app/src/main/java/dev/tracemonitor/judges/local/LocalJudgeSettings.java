package dev.tracemonitor.judges.local;

import java.util.List;

/**
 * The knobs of the offline judge backend, so that thresholds are configuration rather than constants buried in
 * judges. Similarities are cosine similarities of all-MiniLM-L6-v2 sentence embeddings, in [-1, 1].
 *
 * @param relevanceThreshold      relevance_to_query is "yes" when sim(request, response) is at least this (default 0.30)
 * @param chunkRelevanceThreshold a chunk is relevant when sim(request, chunk) is at least this (default 0.30)
 * @param groundednessThreshold   a response sentence is supported when its best similarity to the retrieved text is at
 *                                least this (default 0.50)
 * @param minSentenceWords        response sentences with fewer words are not checked for groundedness (default 4)
 * @param maxResponseSentences    groundedness checks at most this many response sentences (default 50)
 * @param maxEvidenceSentences    per retriever span, at most this many chunk sentences are embedded on their own as
 *                                groundedness evidence, beside the chunk windows that always cover all text (default 256)
 * @param embeddingThreads        threads that run the embedding model (default: available processors)
 * @param embeddingCacheSize      embeddings kept in an LRU cache keyed by text, so that judges of one trace share work;
 *                                0 disables it (default 1024, about 1.5 KB each)
 * @param safetyThreshold         a response sentence is unsafe in a hazard category when its similarity to that
 *                                category's unsafe exemplars is at least this (default {@value #DEFAULT_SAFETY_THRESHOLD})
 * @param safetyMargin            … and exceeds its similarity to every safe exemplar by at least this (default
 *                                {@value #DEFAULT_SAFETY_MARGIN})
 * @param blockedTerms            extra terms (e.g. a deployment's slur list) that make the safety judge say "no", matched
 *                                case-insensitively on word boundaries (default none)
 */
public record LocalJudgeSettings(
        double relevanceThreshold,
        double chunkRelevanceThreshold,
        double groundednessThreshold,
        int minSentenceWords,
        int maxResponseSentences,
        int maxEvidenceSentences,
        int embeddingThreads,
        int embeddingCacheSize,
        double safetyThreshold,
        double safetyMargin,
        List<String> blockedTerms) {

    public static final double DEFAULT_RELEVANCE_THRESHOLD = 0.30;
    public static final double DEFAULT_CHUNK_RELEVANCE_THRESHOLD = 0.30;
    public static final double DEFAULT_GROUNDEDNESS_THRESHOLD = 0.50;
    public static final double DEFAULT_SAFETY_THRESHOLD = 0.38;
    public static final double DEFAULT_SAFETY_MARGIN = 0.05;

    public LocalJudgeSettings {
        requireSimilarity("relevanceThreshold", relevanceThreshold);
        requireSimilarity("chunkRelevanceThreshold", chunkRelevanceThreshold);
        requireSimilarity("groundednessThreshold", groundednessThreshold);
        requireSimilarity("safetyThreshold", safetyThreshold);
        requireSimilarity("safetyMargin", safetyMargin);
        requirePositive("minSentenceWords", minSentenceWords);
        requirePositive("maxResponseSentences", maxResponseSentences);
        requirePositive("embeddingThreads", embeddingThreads);
        if (maxEvidenceSentences < 0 || embeddingCacheSize < 0) {
            throw new IllegalArgumentException("maxEvidenceSentences and embeddingCacheSize must not be negative");
        }
        blockedTerms = blockedTerms == null ? List.of() : blockedTerms.stream()
                .filter(term -> term != null && !term.isBlank())
                .map(String::strip)
                .toList();
    }

    public static LocalJudgeSettings defaults() {
        return new LocalJudgeSettings(DEFAULT_RELEVANCE_THRESHOLD, DEFAULT_CHUNK_RELEVANCE_THRESHOLD,
                DEFAULT_GROUNDEDNESS_THRESHOLD, 4, 50, 256, Runtime.getRuntime().availableProcessors(), 1024,
                DEFAULT_SAFETY_THRESHOLD, DEFAULT_SAFETY_MARGIN, List.of());
    }

    public LocalJudgeSettings withThresholds(double relevance, double chunkRelevance, double groundedness) {
        return new LocalJudgeSettings(relevance, chunkRelevance, groundedness, minSentenceWords, maxResponseSentences,
                maxEvidenceSentences, embeddingThreads, embeddingCacheSize, safetyThreshold, safetyMargin, blockedTerms);
    }

    public LocalJudgeSettings withBlockedTerms(List<String> terms) {
        return new LocalJudgeSettings(relevanceThreshold, chunkRelevanceThreshold, groundednessThreshold,
                minSentenceWords, maxResponseSentences, maxEvidenceSentences, embeddingThreads, embeddingCacheSize,
                safetyThreshold, safetyMargin, terms);
    }

    public LocalJudgeSettings withSafety(double threshold, double margin) {
        return new LocalJudgeSettings(relevanceThreshold, chunkRelevanceThreshold, groundednessThreshold,
                minSentenceWords, maxResponseSentences, maxEvidenceSentences, embeddingThreads, embeddingCacheSize,
                threshold, margin, blockedTerms);
    }

    private static void requireSimilarity(String name, double value) {
        if (Double.isNaN(value) || value < -1.0 || value > 1.0) {
            throw new IllegalArgumentException(name + " must be a cosine similarity in [-1, 1], was " + value);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
    }
}
