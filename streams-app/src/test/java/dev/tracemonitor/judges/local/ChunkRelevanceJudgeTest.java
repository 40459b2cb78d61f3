package dev.tracemonitor.judges.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ChunkSpanIds;
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

class ChunkRelevanceJudgeTest {

    private static final String QUESTION = "What are the side effects of ibuprofen?";
    private static final Doc SIDE_EFFECTS = new Doc(
            "Common side effects of ibuprofen include stomach upset, heartburn and nausea.",
            "https://docs.example.com/ibuprofen", "ibuprofen-3");
    private static final Doc SERIOUS_EFFECTS = new Doc(
            "Rare but serious side effects of ibuprofen are stomach bleeding, kidney problems and allergic reactions.",
            "https://docs.example.com/ibuprofen", "ibuprofen-1");
    private static final Doc HIKING = new Doc(
            "The trail to the summit is 12 km long and is best hiked in early summer.",
            "https://docs.example.com/hiking", "hiking-7");

    private static LocalJudgeBackend backend;
    private static Judge chunkRelevance;

    @BeforeAll
    static void setUp() {
        backend = new LocalJudgeBackend();
        chunkRelevance = backend.builtin(BuiltinJudge.CHUNK_RELEVANCE);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void oneVerdictPerChunkAndAPrecisionPerRetrieverSpan() throws Exception {
        Trace trace = TestTraces.trace("tr-1").request(QUESTION).response("It can upset your stomach.")
                .retriever("r1", SIDE_EFFECTS, HIKING, SERIOUS_EFFECTS)
                .build();

        List<Verdict> verdicts = chunkRelevance.evaluate(trace).verdicts();

        assertThat(verdicts).extracting(Verdict::assessmentName).containsExactly(
                "chunk_relevance", "chunk_relevance", "chunk_relevance", "chunk_relevance/precision");
        assertThat(verdicts).extracting(Verdict::spanId).containsExactly("r1#0", "r1#1", "r1#2", "r1");
        assertThat(verdicts).extracting(Verdict::value).containsExactly("yes", "no", "yes", 2.0 / 3.0);
        assertThat(verdicts.get(3).value()).isInstanceOf(Double.class);
        assertThat(verdicts.get(3).rationale()).contains("2 of 3");
    }

    @Test
    void chunkVerdictsCarryTheChunkIdentity() throws Exception {
        Trace trace = TestTraces.trace("tr-1").request(QUESTION).retriever("r1", HIKING, SIDE_EFFECTS).build();

        Verdict second = chunkRelevance.evaluate(trace).verdicts().get(1);

        assertThat(second.metadata())
                .containsEntry("retriever_span_id", "r1")
                .containsEntry("chunk_index", "1")
                .containsEntry("doc_uri", "https://docs.example.com/ibuprofen")
                .containsEntry("chunk_id", "ibuprofen-3")
                .containsKeys("similarity", "threshold");
        assertThat(ChunkSpanIds.retrieverSpanId(second.spanId())).isEqualTo("r1");
        assertThat(ChunkSpanIds.chunkIndex(second.spanId())).isEqualTo(1);
        assertThat(second.rationale()).contains("chunk 1", "threshold 0.30");
    }

    @Test
    void eachTopLevelRetrieverSpanIsScoredOnItsOwn() throws Exception {
        Trace trace = TestTraces.trace("tr-2").request(QUESTION)
                .retriever("r1", SIDE_EFFECTS)
                .retriever("r2", HIKING, HIKING)
                .retriever("r2-inner", "r2", SIDE_EFFECTS)
                .build();

        List<Verdict> verdicts = chunkRelevance.evaluate(trace).verdicts();

        assertThat(verdicts).filteredOn(v -> v.assessmentName().equals("chunk_relevance/precision"))
                .extracting(Verdict::spanId, Verdict::value)
                .containsExactly(tuple("r1", 1.0), tuple("r2", 0.0));
        assertThat(verdicts).extracting(Verdict::spanId).doesNotHaveDuplicates()
                .noneMatch(spanId -> spanId.startsWith("r2-inner"));
    }

    @Test
    void relevantPassageBeyondTheModelWindowStillCounts() throws Exception {
        String filler = "The museum shop sells postcards, maps and umbrellas to visitors. ".repeat(20);
        Doc longChunk = Doc.of(filler + SIDE_EFFECTS.content());
        Trace trace = TestTraces.trace("tr-3").request(QUESTION).retriever("r1", longChunk).build();

        List<Verdict> verdicts = chunkRelevance.evaluate(trace).verdicts();

        assertThat(verdicts.get(0).value()).isEqualTo("yes");
    }

    @Test
    void chunkWithoutTheKindOfAnswerAskedForIsNotRelevant() throws Exception {
        Trace trace = TestTraces.trace("tr-7").request("How long does delivery to Spain take?")
                .retriever("r1", Doc.of("Delivery to Spain is free on orders over 50 euros; smaller orders pay 6 euros."),
                        Doc.of("Delivery to Spain takes three to five working days from dispatch."))
                .build();

        List<Verdict> verdicts = chunkRelevance.evaluate(trace).verdicts();

        assertThat(verdicts.get(0).value()).isEqualTo("no");
        assertThat(verdicts.get(0).metadata()).containsEntry("failed_check", "expected_answer");
        assertThat(verdicts.get(0).rationale()).contains("a length of time");
        assertThat(verdicts.get(1).value()).isEqualTo("yes");
    }

    @Test
    void chunkExplainingAnotherTaskIsNotRelevant() throws Exception {
        Trace trace = TestTraces.trace("tr-8").request("How do I delete a project?")
                .retriever("r1", Doc.of("To archive a project, open its settings and click 'Archive project'."),
                        Doc.of("To delete a project, open its settings and click 'Delete project', then confirm."))
                .build();

        List<Verdict> verdicts = chunkRelevance.evaluate(trace).verdicts();

        assertThat(verdicts.get(0).value()).isEqualTo("no");
        assertThat(verdicts.get(0).metadata()).containsEntry("failed_check", "other_task");
        assertThat(verdicts.get(1).value()).isEqualTo("yes");
    }

    @Test
    void chunkWithoutTextIsNotRelevant() throws Exception {
        Trace trace = TestTraces.trace("tr-4").request(QUESTION).retriever("r1", Doc.of(""), SIDE_EFFECTS).build();

        List<Verdict> verdicts = chunkRelevance.evaluate(trace).verdicts();

        assertThat(verdicts.get(0).value()).isEqualTo("no");
        assertThat(verdicts.get(0).rationale()).contains("no text");
        assertThat(verdicts.get(2).value()).isEqualTo(0.5);
    }

    @Test
    void traceWithoutRetrieverSpanIsNotApplicable() throws Exception {
        JudgeOutcome outcome = chunkRelevance.evaluate(TestTraces.qa(QUESTION, "Stomach upset."));

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no RETRIEVER span");
    }

    @Test
    void retrieverWithoutDocumentsIsNotApplicable() throws Exception {
        JudgeOutcome outcome = chunkRelevance.evaluate(
                TestTraces.trace("tr-5").request(QUESTION).retriever("r1").build());

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no documents");
    }

    @Test
    void traceWithoutRequestIsNotApplicable() throws Exception {
        JudgeOutcome outcome = chunkRelevance.evaluate(
                TestTraces.trace("tr-6").response("x").retriever("r1", SIDE_EFFECTS).build());

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no request");
    }
}
