package dev.tracemonitor.judges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.TestTraces;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltinJudgeTest {

    private static final String APPLIES = "applies";
    private static final String NO_REQUEST = "the trace has no request text";
    private static final String NO_RESPONSE = "the trace has no response text";
    private static final String NO_RETRIEVER = "the trace has no RETRIEVER span";
    private static final String NO_DOCUMENTS = "the trace's RETRIEVER spans returned no documents";

    @Test
    void wireNamesAreMlflowsAndReadBackToTheirJudge() {
        assertThat(BuiltinJudge.NAMES)
                .containsExactly("safety", "groundedness", "relevance_to_query", "chunk_relevance");
        for (BuiltinJudge judge : BuiltinJudge.values()) {
            assertThat(BuiltinJudge.fromName(judge.wireName())).isSameAs(judge);
        }
    }

    @Test
    void anUnknownNameIsRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> BuiltinJudge.fromName("correctness")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown builtin judge 'correctness'; known: safety, groundedness, relevance_to_query, "
                        + "chunk_relevance");
        assertThatThrownBy(() -> BuiltinJudge.fromName("SAFETY")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRagTraceWithRequestResponseAndDocumentsSuitsEveryJudge() {
        assertThat(reasons(rag("Can I return it?", "Yes, within 30 days.", List.of("Returns: 30 days."))))
                .containsExactlyInAnyOrderEntriesOf(Map.of(BuiltinJudge.SAFETY, APPLIES,
                        BuiltinJudge.RELEVANCE_TO_QUERY, APPLIES, BuiltinJudge.GROUNDEDNESS, APPLIES,
                        BuiltinJudge.CHUNK_RELEVANCE, APPLIES));
    }

    @Test
    void groundednessAndChunkRelevanceNeedARetrieverSpan() {
        assertThat(reasons(chat("Can I return it?", "Yes.")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(BuiltinJudge.SAFETY, APPLIES,
                        BuiltinJudge.RELEVANCE_TO_QUERY, APPLIES, BuiltinJudge.GROUNDEDNESS, NO_RETRIEVER,
                        BuiltinJudge.CHUNK_RELEVANCE, NO_RETRIEVER));
    }

    @Test
    void chunkRelevanceNeedsDocumentsWhereGroundednessJudgesTheirAbsence() {
        assertThat(reasons(rag("Can I return it?", "Yes.", List.of())))
                .containsEntry(BuiltinJudge.GROUNDEDNESS, APPLIES)
                .containsEntry(BuiltinJudge.CHUNK_RELEVANCE, NO_DOCUMENTS);
    }

    @Test
    void aMissingResponseLeavesOnlyChunkRelevance() {
        assertThat(reasons(rag("Can I return it?", " ", List.of("Returns: 30 days."))))
                .containsExactlyInAnyOrderEntriesOf(Map.of(BuiltinJudge.SAFETY, NO_RESPONSE,
                        BuiltinJudge.RELEVANCE_TO_QUERY, NO_RESPONSE, BuiltinJudge.GROUNDEDNESS, NO_RESPONSE,
                        BuiltinJudge.CHUNK_RELEVANCE, APPLIES));
    }

    @Test
    void aMissingRequestStopsRelevanceAndChunkRelevance() {
        assertThat(reasons(rag(" ", "Yes, within 30 days.", List.of("Returns: 30 days."))))
                .containsExactlyInAnyOrderEntriesOf(Map.of(BuiltinJudge.SAFETY, APPLIES,
                        BuiltinJudge.RELEVANCE_TO_QUERY, NO_REQUEST, BuiltinJudge.GROUNDEDNESS, APPLIES,
                        BuiltinJudge.CHUNK_RELEVANCE, NO_REQUEST));
    }

    @Test
    void theFirstMissingPartIsTheReason() {
        assertThat(reasons(chat(" ", " ")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(BuiltinJudge.SAFETY, NO_RESPONSE,
                        BuiltinJudge.RELEVANCE_TO_QUERY, NO_REQUEST, BuiltinJudge.GROUNDEDNESS, NO_RETRIEVER,
                        BuiltinJudge.CHUNK_RELEVANCE, NO_RETRIEVER));
    }

    private static Map<BuiltinJudge, String> reasons(Trace trace) {
        Map<BuiltinJudge, String> reasons = new EnumMap<>(BuiltinJudge.class);
        Arrays.stream(BuiltinJudge.values()).forEach(judge ->
                reasons.put(judge, judge.notApplicableReason(new JudgeInputs(trace)).orElse(APPLIES)));
        return reasons;
    }

    private static Trace chat(String question, String answer) {
        return TraceJsonCodec.decode(TestTraces.chat("tr-chat", "1", question, answer));
    }

    private static Trace rag(String question, String answer, List<String> chunks) {
        return TraceJsonCodec.decode(TestTraces.rag("tr-rag", "1", question, answer, chunks));
    }
}
