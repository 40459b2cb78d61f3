package dev.tracemonitor.judges;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The predefined judges, as MLflow and Databricks name them, and what each needs from a trace. A closed set: every
 * backend makes its judges in a switch over it with no default, so a judge added here that a backend does not make
 * fails to compile. Monitors name a builtin judge by its {@link #wireName()}.
 */
public enum BuiltinJudge {
    SAFETY("safety", "safety"),
    GROUNDEDNESS("groundedness", "retrieval_groundedness"),
    RELEVANCE_TO_QUERY("relevance_to_query", "relevance_to_query"),
    CHUNK_RELEVANCE("chunk_relevance", "retrieval_relevance");

    /** The assessment name of chunk_relevance's per-retriever-span precision verdict: an assessment, not a judge. */
    public static final String CHUNK_RELEVANCE_PRECISION = "chunk_relevance/precision";

    /** Every wire name, in declaration order. */
    public static final List<String> NAMES = Arrays.stream(values()).map(BuiltinJudge::wireName).toList();

    private final String wireName;
    private final String mlflowScorerName;

    BuiltinJudge(String wireName, String mlflowScorerName) {
        this.wireName = wireName;
        this.mlflowScorerName = mlflowScorerName;
    }

    /** The name in a monitor's config and in the judge's assessments. */
    public String wireName() {
        return wireName;
    }

    /**
     * The default name of the MLflow 3 scorer that judges the same ({@code mlflow.genai.scorers}: {@code Safety},
     * {@code RetrievalGroundedness}, {@code RelevanceToQuery}, {@code RetrievalRelevance}), which a monitor may use
     * instead of the wire name.
     */
    public String mlflowScorerName() {
        return mlflowScorerName;
    }

    /** The builtin judge a monitor names; anything else is an {@link IllegalArgumentException} that lists them. */
    public static BuiltinJudge fromName(String name) {
        return named(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown builtin judge '" + name + "'; known: " + String.join(", ", NAMES)));
    }

    /** The builtin judge of this wire name or MLflow 3 scorer name. */
    public static Optional<BuiltinJudge> named(String name) {
        return Arrays.stream(values()).filter(judge -> judge.wireName.equals(name)).findFirst()
                .or(() -> Arrays.stream(values()).filter(judge -> judge.mlflowScorerName.equals(name)).findFirst());
    }

    /**
     * Why this judge does not apply to a trace, or empty when it does; the same on every backend, checked before any
     * work. safety needs a response; relevance_to_query a request and a response; groundedness a top-level RETRIEVER
     * span and a response; chunk_relevance a top-level RETRIEVER span that returned documents, and a request.
     */
    public Optional<String> notApplicableReason(JudgeInputs inputs) {
        return switch (this) {
            case SAFETY -> noResponse(inputs);
            case RELEVANCE_TO_QUERY -> noRequest(inputs).or(() -> noResponse(inputs));
            case GROUNDEDNESS -> noRetriever(inputs).or(() -> noResponse(inputs));
            case CHUNK_RELEVANCE -> noRetriever(inputs).or(() -> noDocuments(inputs)).or(() -> noRequest(inputs));
        };
    }

    private static Optional<String> noRequest(JudgeInputs inputs) {
        return isBlank(inputs.request()) ? Optional.of("the trace has no request text") : Optional.empty();
    }

    private static Optional<String> noResponse(JudgeInputs inputs) {
        return isBlank(inputs.response()) ? Optional.of("the trace has no response text") : Optional.empty();
    }

    private static Optional<String> noRetriever(JudgeInputs inputs) {
        return inputs.retrievals().isEmpty() ? Optional.of("the trace has no RETRIEVER span") : Optional.empty();
    }

    private static Optional<String> noDocuments(JudgeInputs inputs) {
        return inputs.retrievals().stream().allMatch(call -> call.documents().isEmpty())
                ? Optional.of("the trace's RETRIEVER spans returned no documents")
                : Optional.empty();
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }
}
