package dev.tracemonitor.judges.local;

import static dev.tracemonitor.judges.local.SafetyJudgeTest.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TestTraces.Doc;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default thresholds against hand-labelled, realistic examples: every relevant / supported example must reach
 * its threshold and every irrelevant / unsupported one must stay below it. The similarities are printed to the test
 * output so that a change of model or threshold can be re-calibrated from them.
 */
class ThresholdCalibrationTest {

    record Example(String question, String text, boolean positive) {
    }

    private static final List<Example> ANSWERS = List.of(
            new Example("How do I reset my password?", "To reset your password, open Settings, choose Security and "
                    + "click 'Reset password'. You will receive an email with a link.", true),
            new Example("What is the capital of France?", "The capital of France is Paris.", true),
            new Example("What are the side effects of ibuprofen?", "Common side effects of ibuprofen include stomach "
                    + "upset, heartburn, nausea and, rarely, bleeding in the stomach.", true),
            new Example("How do I create a Delta table with Spark?", "Use df.write.format(\"delta\").save(path), or "
                    + "CREATE TABLE ... USING DELTA in Spark SQL.", true),
            new Example("How do I configure Kafka consumer group offsets?", "Set auto.offset.reset to earliest or "
                    + "latest, and commit offsets with commitSync after processing each batch.", true),
            new Example("Can I return a product after 30 days?", "Our return policy allows returns within 30 days "
                    + "of purchase with a receipt; after that, we offer store credit.", true),
            new Example("What is MLflow Tracing?", "MLflow Tracing records the inputs, outputs and intermediate steps "
                    + "of your GenAI application as spans.", true),
            new Example("How long does shipping to Canada take?", "Standard shipping to Canada takes 5 to 8 business "
                    + "days; express delivery arrives in 2 to 3 days.", true),
            new Example("How do I reset my password?", "Our company was founded in 1998 and has offices in 12 "
                    + "countries.", false),
            new Example("What is the capital of France?", "Bananas are rich in potassium and make a great snack.",
                    false),
            new Example("What are the side effects of ibuprofen?", "I love hiking in the mountains during the summer.",
                    false),
            new Example("How do I create a Delta table with Spark?", "The weather in London is often rainy in "
                    + "November.", false),
            new Example("How do I configure Kafka consumer group offsets?", "Preheat the oven to 180 degrees and bake "
                    + "the cake for 35 minutes.", false),
            new Example("Can I return a product after 30 days?", "Python is a popular programming language for data "
                    + "science.", false),
            new Example("What is MLflow Tracing?", "Sorry, I can only help with questions about our pizza menu.",
                    false),
            new Example("How long does shipping to Canada take?", "Our loyalty program gives you one point for every "
                    + "dollar you spend.", false));

    private static final List<Example> CHUNKS = List.of(
            new Example("What are the side effects of ibuprofen?", "Common side effects of ibuprofen include stomach "
                    + "upset, heartburn and nausea. Serious side effects are rare.", true),
            new Example("What are the side effects of ibuprofen?", "Adults may take 200 to 400 mg of ibuprofen every 4 "
                    + "to 6 hours; do not exceed 1200 mg a day without a doctor's advice.", true),
            new Example("Can I return a product after 30 days?", "After 30 days, returns are not refunded, but we "
                    + "offer store credit for unused items in their original packaging.", true),
            new Example("How do I create a Delta table with Spark?", "Delta Lake tables can be created from a "
                    + "DataFrame with saveAsTable or from SQL with CREATE TABLE USING DELTA.", true),
            new Example("How do I configure Kafka consumer group offsets?", "Consumers in a group commit the offsets "
                    + "of the records they processed; auto.offset.reset decides where to start without one.", true),
            new Example("What are the side effects of ibuprofen?", "The trail to the summit is 12 km long and is best "
                    + "hiked in early summer.", false),
            new Example("Can I return a product after 30 days?", "Our stores are open Monday to Saturday from 9am to "
                    + "8pm.", false),
            new Example("How do I create a Delta table with Spark?", "The 2024 annual report shows revenue growth of 8 "
                    + "percent across all regions.", false),
            new Example("How do I configure Kafka consumer group offsets?", "Our chocolate cake recipe needs three "
                    + "eggs, flour, sugar and cocoa.", false),
            new Example("What is MLflow Tracing?", "Employees accrue 25 days of paid vacation per year.", false));

    private static final List<Doc> TOWER_DOCS = List.of(
            Doc.of("The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris. It was completed "
                    + "in 1889 for the World's Fair and is 330 metres tall."),
            Doc.of("Gustave Eiffel's company designed and built the tower. It was initially criticised by artists "
                    + "but became a global cultural icon of France."));

    private static final List<Example> SENTENCES = List.of(
            new Example("", "The Eiffel Tower was completed in 1889.", true),
            new Example("", "It stands about 330 metres tall.", true),
            new Example("", "It was designed and built by Gustave Eiffel's company.", true),
            new Example("", "The tower is located on the Champ de Mars in Paris.", true),
            new Example("", "Artists criticised the tower at first, but it became an icon of France.", true),
            new Example("", "The tower is painted bright red every spring by volunteers.", false),
            new Example("", "Tickets cost 5 euros and the tower is open all night.", false),
            new Example("", "Napoleon personally ordered its construction as a military radio mast.", false),
            new Example("", "The Great Wall of China is visible from space.", false),
            new Example("", "Many tourists visit Paris each year.", false));

    private static LocalJudgeBackend backend;

    @BeforeAll
    static void setUp() {
        backend = new LocalJudgeBackend();
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void relevanceThresholdSeparatesRelevantFromIrrelevantAnswers() throws Exception {
        for (Example example : ANSWERS) {
            Verdict verdict = single(backend.builtin(BuiltinJudge.RELEVANCE_TO_QUERY)
                    .evaluate(TestTraces.qa(example.question(), example.text())));
            double similarity = Double.parseDouble(verdict.metadata().get("similarity"));
            report("relevance_to_query", similarity, example);
            assertSeparated(similarity, LocalJudgeSettings.DEFAULT_RELEVANCE_THRESHOLD, example);
        }
    }

    @Test
    void chunkRelevanceThresholdSeparatesRelevantFromIrrelevantChunks() throws Exception {
        for (Example example : CHUNKS) {
            Trace trace = TestTraces.trace("tr-cal").request(example.question())
                    .retriever("r1", Doc.of(example.text())).build();
            Verdict verdict = backend.builtin(BuiltinJudge.CHUNK_RELEVANCE).evaluate(trace).verdicts().get(0);
            double similarity = Double.parseDouble(verdict.metadata().get("similarity"));
            report("chunk_relevance", similarity, example);
            assertSeparated(similarity, LocalJudgeSettings.DEFAULT_CHUNK_RELEVANCE_THRESHOLD, example);
        }
    }

    @Test
    void groundednessThresholdSeparatesSupportedFromUnsupportedSentences() throws Exception {
        for (Example example : SENTENCES) {
            Trace trace = TestTraces.trace("tr-cal").request("Tell me about the Eiffel Tower.")
                    .response(example.text()).retriever("r1", TOWER_DOCS.toArray(Doc[]::new)).build();
            Verdict verdict = single(backend.builtin(BuiltinJudge.GROUNDEDNESS).evaluate(trace));
            double similarity = Double.parseDouble(verdict.metadata().get("lowest_similarity"));
            report("groundedness", similarity, example);
            assertSeparated(similarity, LocalJudgeSettings.DEFAULT_GROUNDEDNESS_THRESHOLD, example);
        }
    }

    private static void assertSeparated(double similarity, double threshold, Example example) {
        if (example.positive()) {
            assertThat(similarity).as(example.toString()).isGreaterThanOrEqualTo(threshold);
        } else {
            assertThat(similarity).as(example.toString()).isLessThan(threshold);
        }
    }

    private static void report(String judge, double similarity, Example example) {
        System.out.println(String.format(Locale.ROOT, "calibration %-18s %-10s %6.3f  %s | %s", judge,
                example.positive() ? "positive" : "negative", similarity, example.question(), example.text()));
    }
}
