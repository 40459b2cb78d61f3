package dev.tracemonitor.bench;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.llm.LlmJudgeBackend;
import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.model.TraceText;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.scoring.Completion;
import dev.tracemonitor.scoring.JudgeTask;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Judge efficiency through the real path: the {@link ScoringEngine} (max in flight N) running the LLM backend's
 * {@code safety} judge (one HTTP call per evaluation) against {@link FakeOpenAiServer} answering after a fixed latency.
 * The ideal is N / latency calls per second; the achieved figure is calls the server answered per second of wall time
 * from the first submit to the last completion, after a warm-up of the same engine and client.
 */
public final class JudgeEfficiency {

    /** The figures of one run. */
    public record Result(int maxInFlight, Duration latency, int evaluations, long calls, double seconds, int errors,
                         int maxConcurrent, double p50Millis, double p99Millis) {
        public double callsPerSecond() {
            return calls / seconds;
        }

        public double ideal() {
            return maxInFlight * 1000.0 / latency.toMillis();
        }

        public double efficiency() {
            return callsPerSecond() / ideal();
        }
    }

    private JudgeEfficiency() {
    }

    public static Result run(int maxInFlight, Duration latency, int warmUp, int evaluations) throws Exception {
        List<Trace> traces = traces();
        try (FakeOpenAiServer server = FakeOpenAiServer.builder()
                .behavior(Behavior.always(Reply.yes()).withLatency(latency))
                .recording(false)
                .start();
             LlmJudgeBackend backend = new LlmJudgeBackend(LlmSettings.of(server.baseUrl(), "fake-judge", null,
                     Duration.ofSeconds(30)));
             ScoringEngine engine = new ScoringEngine(new ScoringEngine.Settings(maxInFlight, 1,
                     Duration.ofMillis(500), Duration.ofSeconds(30)), TraceMonitorMetrics.inMemory())) {
            Judge judge = backend.builtin(BuiltinJudge.SAFETY);
            batch(engine, judge, traces, warmUp, "warm");
            server.reset();
            long start = System.nanoTime();
            Batch measured = batch(engine, judge, traces, evaluations, "run");
            double seconds = (measured.endNanos - start) / 1e9;
            long[] sorted = measured.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Result(maxInFlight, latency, evaluations, server.requestCount(), seconds, measured.errors.get(),
                    server.maxConcurrentRequests(), percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6);
        }
    }

    private record Batch(long endNanos, AtomicInteger errors, List<Long> latencies) {
    }

    private static Batch batch(ScoringEngine engine, Judge judge, List<Trace> traces, int count, String prefix)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(count);
        AtomicInteger errors = new AtomicInteger();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        JudgeSpec spec = new JudgeSpec(BuiltinJudge.SAFETY.wireName(), 1.0, null);
        for (int i = 0; i < count; i++) {
            Trace trace = traces.get(i % traces.size());
            JudgeTask task = new JudgeTask(prefix + "-" + i, spec, 0);
            engine.submit(task, judge, trace, (Completion c) -> {
                if (c.failed() || c.outcome() == null || c.outcome().notApplicableReason() != null) {
                    errors.incrementAndGet();
                }
                latencies.add(c.latencyNanos());
                done.countDown();
            });
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("judge calls did not finish");
        }
        return new Batch(System.nanoTime(), errors, latencies);
    }

    /** Traces with a response (so safety makes its one call), from the load corpus. */
    private static List<Trace> traces() {
        TraceCorpus corpus = new TraceCorpus(TraceCorpus.Settings.defaults("judge"), 7);
        List<Trace> traces = new ArrayList<>();
        for (long i = 0; traces.size() < 256; i++) {
            Trace trace = TraceJsonCodec.decode(corpus.record(i).value());
            String response = TraceText.response(trace);
            if (response != null && !response.isBlank()) {
                traces.add(trace);
            }
        }
        return traces;
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
        return sorted[index];
    }
}
