package dev.tracemonitor.judges.local;

import static dev.tracemonitor.judges.local.SafetyJudgeTest.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.testing.TestTraces;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RelevanceToQueryJudgeTest {

    private static LocalJudgeBackend backend;
    private static Judge relevance;

    @BeforeAll
    static void setUp() {
        backend = new LocalJudgeBackend();
        relevance = backend.builtin(BuiltinJudge.RELEVANCE_TO_QUERY);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void relevantAnswerIsYes() throws Exception {
        Verdict verdict = single(relevance.evaluate(TestTraces.qa("How do I reset my password?",
                "To reset your password, open Settings, choose Security and click 'Reset password'. "
                        + "You will receive an email with a link.")));

        assertThat(verdict.assessmentName()).isEqualTo("relevance_to_query");
        assertThat(verdict.spanId()).isNull();
        assertThat(verdict.value()).isEqualTo("yes");
        assertThat(Double.parseDouble(verdict.metadata().get("similarity")))
                .isGreaterThanOrEqualTo(LocalJudgeSettings.DEFAULT_RELEVANCE_THRESHOLD);
    }

    @Test
    void clearlyIrrelevantAnswerIsNo() throws Exception {
        Verdict verdict = single(relevance.evaluate(TestTraces.qa("How do I reset my password?",
                "Bananas are rich in potassium and grow in tropical climates.")));

        assertThat(verdict.value()).isEqualTo("no");
        assertThat(Double.parseDouble(verdict.metadata().get("similarity")))
                .isLessThan(LocalJudgeSettings.DEFAULT_RELEVANCE_THRESHOLD);
    }

    @Test
    void rationaleStatesTheSimilarityAndTheThreshold() throws Exception {
        Verdict verdict = single(relevance.evaluate(TestTraces.qa("What is the capital of France?",
                "Bananas are rich in potassium.")));

        String similarity = Texts.similarity(Double.parseDouble(verdict.metadata().get("similarity")));
        assertThat(verdict.rationale())
                .contains("cosine similarity", similarity, "below the threshold 0.30", "not relevant");
        assertThat(verdict.metadata()).containsEntry("threshold", "0.3000");
    }

    @Test
    void thresholdIsConfigurable() throws Exception {
        try (LocalJudgeBackend strict = new LocalJudgeBackend(
                LocalJudgeSettings.defaults().withThresholds(0.99, 0.30, 0.50))) {
            Verdict verdict = single(strict.builtin(BuiltinJudge.RELEVANCE_TO_QUERY)
                    .evaluate(TestTraces.qa("What is the capital of France?", "The capital of France is Paris.")));

            assertThat(verdict.value()).isEqualTo("no");
            assertThat(verdict.rationale()).contains("threshold 0.99");
        }
    }

    @Test
    void onTopicAnswerWithoutThePriceAskedForIsNo() throws Exception {
        Verdict evasive = single(relevance.evaluate(TestTraces.qa("How much does the Team plan cost?",
                "The Team plan includes shared workspaces, single sign-on and priority support.")));
        Verdict priced = single(relevance.evaluate(TestTraces.qa("How much does the Team plan cost?",
                "The Team plan costs $12 per user per month.")));

        assertThat(evasive.value()).isEqualTo("no");
        assertThat(evasive.metadata()).containsEntry("expected_answer", "price")
                .containsEntry("failed_check", "expected_answer");
        assertThat(evasive.rationale()).contains("asks for a price");
        assertThat(priced.value()).isEqualTo("yes");
    }

    @Test
    void yesNoQuestionAnsweredWithoutAYesOrNoIsNo() throws Exception {
        Verdict evasive = single(relevance.evaluate(TestTraces.qa("Do you deliver on Sundays?",
                "Delivery matters a lot to us, and our drivers work hard every week to bring you your orders.")));
        Verdict answered = single(relevance.evaluate(TestTraces.qa("Do you deliver on Sundays?",
                "No, we deliver Monday to Saturday only.")));

        assertThat(evasive.value()).isEqualTo("no");
        assertThat(evasive.metadata()).containsEntry("failed_check", "expected_answer");
        assertThat(answered.value()).isEqualTo("yes");
    }

    @Test
    void reasonGivenAsAConsequenceIsAnAnswerToWhy() throws Exception {
        Verdict answered = single(relevance.evaluate(TestTraces.qa("Why do windows fog up in winter?",
                "Warm, humid air inside touches the cold glass and cools, so its water vapour condenses on it.")));
        Verdict other = single(relevance.evaluate(TestTraces.qa("Why do windows fog up in winter?",
                "Double-glazed windows have two panes of glass with a layer of gas between them.")));

        assertThat(answered.value()).as(answered.rationale()).isEqualTo("yes");
        assertThat(other.value()).as(other.rationale()).isEqualTo("no");
    }

    @Test
    void comparisonInOtherWordsAnswersWhichIsBetter() throws Exception {
        Verdict verdict = single(relevance.evaluate(TestTraces.qa("Which is easier to learn first, Python or Java?",
                "Most beginners find Python simpler: its syntax is shorter and it needs less boilerplate.")));

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("yes");
    }

    /** The duration asked for answers "how long", however close the answer is to the one word it shares with it. */
    @Test
    void valueAskedForIsAnAnswerEvenCloseToTheSharedTopic() throws Exception {
        Verdict verdict = single(relevance.evaluate(TestTraces.qa("How long should I boil an egg for a soft yolk?",
                "About six minutes from when the water comes back to the boil.")));

        assertThat(verdict.value()).as(verdict.rationale()).isEqualTo("yes");
    }

    @Test
    void sayingWhetherItIsSafeAnswersIsItSafe() throws Exception {
        Verdict answered = single(relevance.evaluate(TestTraces.qa("Is it safe to swim straight after eating?",
                "For most people, swimming soon after a meal is perfectly safe; cramps are rare.")));
        Verdict evasive = single(relevance.evaluate(TestTraces.qa("Is it safe to swim straight after eating?",
                "Swimming is great exercise for the whole body and easy on the joints.")));

        assertThat(answered.value()).as(answered.rationale()).isEqualTo("yes");
        assertThat(evasive.value()).as(evasive.rationale()).isEqualTo("no");
        assertThat(evasive.metadata()).containsEntry("failed_check", "expected_answer");
    }

    @Test
    void answerToAnotherTaskOnTheSameThingIsNo() throws Exception {
        Verdict verdict = single(relevance.evaluate(TestTraces.qa("How do I delete my account?",
                "To change the email address of your account, open Settings > Profile and edit it.")));

        assertThat(verdict.value()).isEqualTo("no");
        assertThat(verdict.metadata()).containsEntry("failed_check", "other_task");
        assertThat(verdict.rationale()).contains("To change the email address of your account");
    }

    @Test
    void answerAboutAnotherCodeIsNo() throws Exception {
        Verdict other = single(relevance.evaluate(TestTraces.qa("What does HTTP status 503 mean?",
                "HTTP 500 means the server hit an unexpected error while handling the request.")));
        Verdict same = single(relevance.evaluate(TestTraces.qa("What does HTTP status 503 mean?",
                "503 Service Unavailable: the server is overloaded or down for maintenance; try again later.")));

        assertThat(other.value()).isEqualTo("no");
        assertThat(other.metadata()).containsEntry("failed_check", "other_code");
        assertThat(same.value()).isEqualTo("yes");
    }

    @Test
    void missingResponseIsNotApplicable() throws Exception {
        JudgeOutcome outcome = relevance.evaluate(TestTraces.trace("tr-1").request("What is MLflow?").build());

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no response");
    }

    @Test
    void blankRequestIsNotApplicable() throws Exception {
        JudgeOutcome outcome = relevance.evaluate(TestTraces.qa("   ", "MLflow is an open source platform."));

        assertThat(outcome.applicable()).isFalse();
        assertThat(outcome.notApplicableReason()).contains("no request");
    }
}
