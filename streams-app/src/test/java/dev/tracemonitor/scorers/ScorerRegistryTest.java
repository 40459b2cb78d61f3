package dev.tracemonitor.scorers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.scorer.ScoredTrace;
import dev.tracemonitor.scorer.Scorer;
import dev.tracemonitor.scorer.ScorerResult;
import dev.tracemonitor.scorer.ScorerResult.Feedback;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.scorers.HangingScorer;
import dev.tracemonitor.testing.scorers.ImpostorScorer;
import dev.tracemonitor.testing.scorers.PluginJars;
import dev.tracemonitor.testing.scorers.SpanScorer;
import dev.tracemonitor.testing.scorers.ThrowingScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading plugin jars and running their scorers as judges: the example jar's pii_leak, a scorer that throws, one that
 * hangs, one that scores spans; a directory without jars has no scorers, and two scorers with one name fail the load.
 */
class ScorerRegistryTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private ScorerSettings settings() {
        return new ScorerSettings(dir, TIMEOUT, 2);
    }

    @Test
    void aDirectoryWithoutJarsHasNoScorersAndANamedScorerIsNotFound() throws Exception {
        Files.writeString(dir.resolve("README.txt"), "not a jar");
        try (ScorerRegistry registry = ScorerRegistry.load(settings())) {
            assertThat(registry.names()).isEmpty();
            Verdict verdict = single(registry.judge("pii_leak").evaluate(TestTraces.qa("q", "a")));
            assertThat(verdict.error().errorCode()).isEqualTo(ScorerJudge.SCORER_NOT_FOUND);
            assertThat(verdict.error().errorMessage()).contains("no scorer named \"pii_leak\"");
        }
        try (ScorerRegistry none = ScorerRegistry.load(ScorerSettings.none())) {
            assertThat(none.names()).isEmpty();
        }
    }

    @Test
    void aPluginDirectoryThatIsNotADirectoryFailsTheLoad() {
        assertThatThrownBy(() -> ScorerRegistry.load(new ScorerSettings(dir.resolve("missing"), TIMEOUT, 1)))
                .isInstanceOf(ScorerPluginException.class).hasMessageContaining("is not a directory");
    }

    @Test
    void twoScorersWithOneNameFailTheLoadNamingBothClassesAndJars() throws Exception {
        PluginJars.copyExample(dir);
        PluginJars.build(dir.resolve("zz-impostor.jar"), ImpostorScorer.class);

        assertThatThrownBy(() -> ScorerRegistry.load(settings()))
                .isInstanceOf(ScorerPluginException.class)
                .hasMessageContaining("two scorers are named \"pii_leak\"")
                .hasMessageContaining("dev.tracemonitor.examples.scorer.PiiLeakScorer")
                .hasMessageContaining(ImpostorScorer.class.getName())
                .hasMessageContaining("example-scorer-");
    }

    @Test
    void theExampleScorerFromItsJarSaysNoToAnEmailOrPhoneNumberWithoutQuotingItAndYesOtherwise() throws Exception {
        PluginJars.copyExample(dir);
        try (ScorerRegistry registry = ScorerRegistry.load(settings())) {
            assertThat(registry.names()).containsExactly("pii_leak");
            Judge pii = registry.judge("pii_leak");
            assertThat(pii.source()).isEqualTo(new AssessmentSource(AssessmentSource.CODE,
                    "trace-monitor/scorer/pii_leak"));

            Verdict email = single(pii.evaluate(TestTraces.qa("Who?", "Write to jane.doe@example.com for help.")));
            assertThat(email.value()).isEqualTo("no");
            assertThat(email.rationale()).contains("an e-mail address").doesNotContain("jane");
            Verdict phone = single(pii.evaluate(TestTraces.qa("Who?", "Call +1 (415) 555-0134 today.")));
            assertThat(phone.value()).isEqualTo("no");
            assertThat(phone.rationale()).contains("a phone number").doesNotContain("555");
            Verdict clean = single(pii.evaluate(TestTraces.qa("When?", "Order 123456789 ships on 2026-12-04.")));
            assertThat(clean.value()).isEqualTo("yes");
            assertThat(clean.assessmentName()).isEqualTo("pii_leak");
            JudgeOutcome noResponse = pii.evaluate(TestTraces.trace("t").request("q").build());
            assertThat(noResponse.applicable()).isFalse();
        }
    }

    @Test
    void aThrowingScorerIsScorerFailedWithTheExceptionAndAHangingOneIsScorerTimeoutAfterTheTimeout()
            throws Exception {
        PluginJars.build(dir.resolve("bad.jar"), ThrowingScorer.class, HangingScorer.class);
        try (ScorerRegistry registry = ScorerRegistry.load(settings())) {
            assertThat(registry.names()).containsExactly(ThrowingScorer.NAME, HangingScorer.NAME);
            Trace trace = TestTraces.qa("q", "a");

            Verdict failed = single(registry.judge(ThrowingScorer.NAME).evaluate(trace));
            assertThat(failed.error().errorCode()).isEqualTo(ScorerJudge.SCORER_FAILED);
            assertThat(failed.error().errorMessage())
                    .isEqualTo("java.lang.IllegalStateException: " + ThrowingScorer.MESSAGE + " (tr-qa)");

            int interruptedBefore = HangingScorer.INTERRUPTED.get();
            long start = System.nanoTime();
            Verdict timedOut = single(registry.judge(HangingScorer.NAME).evaluate(trace));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(timedOut.error().errorCode()).isEqualTo(ScorerJudge.SCORER_TIMEOUT);
            assertThat(timedOut.error().errorMessage()).contains("PT0.5S");
            assertThat(took).isBetween(TIMEOUT, TIMEOUT.plusSeconds(2));
            long waitUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (HangingScorer.INTERRUPTED.get() == interruptedBefore && System.nanoTime() < waitUntil) {
                Thread.sleep(10);
            }
            assertThat(HangingScorer.INTERRUPTED.get()).as("the timed-out call was interrupted")
                    .isGreaterThan(interruptedBefore);
        }
    }

    @Test
    void aScorerMayScoreEachSpanButNotASpanTheTraceLacksNorOneSpanTwice() throws Exception {
        PluginJars.build(dir.resolve("spans.jar"), SpanScorer.class);
        try (ScorerRegistry registry = ScorerRegistry.load(settings())) {
            Trace trace = TestTraces.trace("t-rag").request("q").response("a")
                    .retriever("ret", TestTraces.Doc.of("chunk")).build();
            JudgeOutcome outcome = registry.judge(SpanScorer.NAME).evaluate(trace);
            assertThat(outcome.verdicts()).extracting(Verdict::spanId)
                    .containsExactly(TestTraces.ROOT_SPAN_ID, "ret");
            assertThat(outcome.verdicts()).allSatisfy(v -> assertThat(v.value()).isInstanceOf(Long.class));
            assertThat(registry.judge(SpanScorer.NAME).evaluate(TestTraces.bare("t-bare",
                    TestTraces.NEW_YEAR)).notApplicableReason()).isEqualTo("no spans");
        }
        Trace trace = TestTraces.qa("q", "a");
        try (ScorerJudge elsewhere = adapter(Feedback.yes("y").onSpan("not-a-span"));
             ScorerJudge twice = adapter(Feedback.yes("y"), Feedback.no("n"))) {
            Verdict unknownSpan = single(elsewhere.evaluate(trace));
            assertThat(unknownSpan.error().errorCode()).isEqualTo(ScorerJudge.SCORER_FAILED);
            assertThat(unknownSpan.error().errorMessage()).contains("\"not-a-span\", which is not a span of the trace");
            assertThat(single(twice.evaluate(trace)).error().errorMessage())
                    .contains("two feedbacks about the whole trace");
        }
    }

    /** A scorer that returns these feedbacks, run as a judge. */
    private ScorerJudge adapter(Feedback first, Feedback... more) {
        Scorer scorer = new Scorer() {
            @Override
            public String name() {
                return "fixed";
            }

            @Override
            public ScorerResult score(ScoredTrace trace) {
                return ScorerResult.of(first, more);
            }
        };
        return new ScorerJudge(scorer, scorer.name(), getClass().getClassLoader(), settings());
    }

    private static Verdict single(JudgeOutcome outcome) {
        assertThat(outcome.verdicts()).hasSize(1);
        return outcome.verdicts().get(0);
    }
}
