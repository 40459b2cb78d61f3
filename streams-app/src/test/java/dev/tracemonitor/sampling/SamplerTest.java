package dev.tracemonitor.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.model.MonitorConfig.AssessmentsConfig;
import dev.tracemonitor.model.MonitorConfig.JudgeConfig;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SamplerTest {

    private static final int N = 100_000;
    private static final List<String> IDS = IntStream.range(0, N)
            .mapToObj(i -> "tr-" + new UUID(0x5eedL * i, i * 31L + 7).toString().replace("-", "")).toList();

    /** Reference values from an independent implementation (Python: int.from_bytes(sha256(id)[:8], 'big') / 2**64). */
    @ParameterizedTest
    @CsvSource({
            "tr-0, 0.7559620522108496",
            "tr-1, 0.6855332615503711",
            "abc, 0.7283949105904022",
            "tr-7e3c9f0d2b8a4c1e9f7a6b5c4d3e2f10, 0.626700732489241"})
    void positionMatchesTheDocumentedFormulaInAnotherLanguage(String traceId, double expected) {
        assertThat(Sampler.u(traceId)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-15));
    }

    @Test
    void decisionIsTheSameOnEveryInstanceAndThread() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<Double>>> instances = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                instances.add(() -> IDS.stream().map(Sampler::u).toList());
            }
            List<Future<List<Double>>> results = pool.invokeAll(instances);
            List<Double> first = results.get(0).get();
            for (Future<List<Double>> other : results) {
                assertThat(other.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lowerRateSelectsASubsetOfAHigherRate() {
        double[] rates = {0.01, 0.05, 0.2, 0.4, 0.5, 0.9};
        for (int r = 0; r + 1 < rates.length; r++) {
            double low = rates[r];
            double high = rates[r + 1];
            for (String id : IDS) {
                if (Sampler.selected(id, low)) {
                    assertThat(Sampler.selected(id, high)).as("%s at %s vs %s", id, low, high).isTrue();
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0.001", "0.05", "0.2", "0.5", "0.9"})
    void selectedShareIsWithinBinomialBounds(double rate) {
        long selected = IDS.stream().filter(id -> Sampler.selected(id, rate)).count();
        double mean = N * rate;
        double sigma = Math.sqrt(N * rate * (1 - rate));
        assertThat((double) selected).isBetween(mean - 5 * sigma, mean + 5 * sigma);
    }

    @Test
    void rateZeroSelectsNothingAndRateOneEverything() {
        assertThat(IDS).noneMatch(id -> Sampler.selected(id, 0.0));
        assertThat(IDS).allMatch(id -> Sampler.selected(id, 1.0));
    }

    @Test
    void judgeRateOverridesTheMonitorSampleAndGuidelinesExpandPerName() {
        MonitorConfig config = new MonitorConfig("1", "c", "s", new AssessmentsConfig(0.5, List.of(
                JudgeConfig.builtin("safety", null),
                JudgeConfig.builtin("chunk_relevance", 0.2),
                new JudgeConfig(null, Map.of("tone", List.of("be polite")), 1.0))));
        List<JudgeSpec> specs = JudgeSpec.of(config);
        assertThat(specs).extracting(JudgeSpec::name, JudgeSpec::sampleRate)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("safety", 0.5),
                        org.assertj.core.groups.Tuple.tuple("chunk_relevance", 0.2),
                        org.assertj.core.groups.Tuple.tuple("tone", 1.0));
        for (String id : IDS.subList(0, 2000)) {
            double u = Sampler.u(id);
            List<String> names = Sampler.selectedJudges(config, id).stream().map(JudgeSpec::name).toList();
            assertThat(names.contains("safety")).isEqualTo(u < 0.5);
            assertThat(names.contains("chunk_relevance")).isEqualTo(u < 0.2);
            assertThat(names).contains("tone");
        }
    }

    @Test
    void addingOrRenamingAJudgeDoesNotMoveOtherDecisions() {
        MonitorConfig before = new MonitorConfig("1", "c", "s", new AssessmentsConfig(0.3,
                List.of(JudgeConfig.builtin("safety", null))));
        MonitorConfig after = new MonitorConfig("1", "c", "s", new AssessmentsConfig(0.3,
                List.of(JudgeConfig.builtin("relevance_to_query", 0.6), JudgeConfig.builtin("safety", null))));
        for (String id : IDS.subList(0, 5000)) {
            boolean safetyBefore = !Sampler.selectedJudges(before, id).isEmpty();
            boolean safetyAfter = Sampler.selectedJudges(after, id).stream().anyMatch(j -> j.name().equals("safety"));
            assertThat(safetyAfter).isEqualTo(safetyBefore);
        }
    }
}
