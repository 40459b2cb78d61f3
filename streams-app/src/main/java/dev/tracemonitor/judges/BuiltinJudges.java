package dev.tracemonitor.judges;

import java.util.List;

/** The names of the predefined judges, as MLflow and Databricks name them. */
public final class BuiltinJudges {
    public static final String SAFETY = "safety";
    public static final String GROUNDEDNESS = "groundedness";
    public static final String RELEVANCE_TO_QUERY = "relevance_to_query";
    public static final String CHUNK_RELEVANCE = "chunk_relevance";
    public static final String CHUNK_RELEVANCE_PRECISION = "chunk_relevance/precision";

    public static final List<String> NAMES = List.of(SAFETY, GROUNDEDNESS, RELEVANCE_TO_QUERY, CHUNK_RELEVANCE);

    private BuiltinJudges() {
    }
}
