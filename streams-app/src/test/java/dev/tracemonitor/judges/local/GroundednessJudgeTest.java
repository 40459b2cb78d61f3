package dev.tracemonitor.judges.local;

import static dev.tracemonitor.judges.local.SafetyJudgeTest.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TestTraces.Doc;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GroundednessJudgeTest {

    private static final String QUESTION = "Tell me about the Eiffel Tower.";
    private static final Doc TOWER = Doc.of("The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in "
            + "Paris. It was completed in 1889 for the World's Fair and is 330 metres tall.");
    private static final Doc BUILDER = Doc.of("Gustave Eiffel's company designed and built the tower. It was "
            + "initially criticised by artists but became a global cultural icon of France.");
    private static final Doc BANANAS = Doc.of("Bananas are rich in potassium and grow in tropical climates.");

    private static LocalJudgeBackend backend;
    private static Judge groundedness;

    @BeforeAll
    static void setUp() {
        backend = new LocalJudgeBackend();
        groundedness = backend.builtin(BuiltinJudge.GROUNDEDNESS);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static Trace answer(String response, Doc... documents) {
        return TestTraces.trace("tr-g").request(QUESTION).response(response).retriever("r1", documents).build();
    }

    @Test
    void groundedAnswerIsYes() throws Exception {
        Verdict verdict = single(groundedness.evaluate(answer(
                "The Eiffel Tower stands on the Champ de Mars in Paris. It was completed in 1889 and is about "
                        + "330 metres tall. Gustave Eiffel's company designed and built it. Let me know if you "
                        + "have other questions!",
                TOWER, BUILDER)));

        assertThat(verdict.assessmentName()).isEqualTo("groundedness");
        assertThat(verdict.spanId()).isEqualTo("r1");
        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("yes");
        assertThat(verdict.metadata()).containsEntry("checked_sentences", "3").containsEntry("unsupported_sentences", "0");
        assertThat(verdict.rationale()).contains("All 3 checked response sentences are supported");
    }

    @Test
    void ungroundedAnswerIsNoAndQuotesTheUnsupportedSentence() throws Exception {
        Verdict verdict = single(groundedness.evaluate(answer(
                "The Eiffel Tower is in Paris on the Champ de Mars. "
                        + "Napoleon personally ordered its construction as a military radio mast.",
                TOWER, BUILDER)));

        assertThat(verdict.value()).isEqualTo("no");
        assertThat(verdict.metadata()).containsEntry("unsupported_sentences", "1");
        assertThat(verdict.rationale())
                .contains("1 of 2 checked response sentences are not supported")
                .contains("\"Napoleon personally ordered its construction as a military radio mast.\"")
                .doesNotContain("\"The Eiffel Tower is in Paris");
    }

    @Test
    void numberThatIsNotInTheDocumentsIsUnsupported() throws Exception {
        Verdict verdict = single(groundedness.evaluate(answer(
                "The Eiffel Tower on the Champ de Mars was completed in 1920 for the World's Fair.", TOWER)));

        assertThat(verdict.value()).isEqualTo("no");
        assertThat(verdict.rationale()).contains("the answer says 1920, which is not in the documents");
    }

    @Test
    void oneVerdictPerTopLevelRetrieverSpanAgainstItsOwnDocuments() throws Exception {
        Trace trace = TestTraces.trace("tr-g2").request(QUESTION)
                .response("The Eiffel Tower was completed in 1889 on the Champ de Mars in Paris.")
                .retriever("r-tower", TOWER)
                .retriever("r-fruit", BANANAS)
                .build();

        List<Verdict> verdicts = groundedness.evaluate(trace).verdicts();

        assertThat(verdicts).extracting(Verdict::spanId).containsExactly("r-tower", "r-fruit");
        assertThat(verdicts).extracting(Verdict::value).containsExactly("yes", "no");
    }

    @Test
    void retrieverThatReturnedNothingGroundsNothing() throws Exception {
        Verdict verdict = single(groundedness.evaluate(answer("The Eiffel Tower was completed in 1889 in Paris.")));

        assertThat(verdict.value()).isEqualTo("no");
        assertThat(verdict.rationale()).contains("returned no document text");
    }

    @Test
    void traceWithoutRetrieverSpanIsNotApplicable() throws Exception {
        JudgeOutcome outcome = groundedness.evaluate(TestTraces.qa(QUESTION, "It is a tower in Paris, France."));

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no RETRIEVER span");
    }

    @Test
    void traceWithoutResponseIsNotApplicable() throws Exception {
        JudgeOutcome outcome = groundedness.evaluate(
                TestTraces.trace("tr-g3").request(QUESTION).retriever("r1", TOWER).build());

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no response");
    }

    @Test
    void responseWithNothingToCheckIsNotApplicable() throws Exception {
        JudgeOutcome outcome = groundedness.evaluate(answer("Sure! Hope this helps.", TOWER));

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no statement to check");
    }
}
