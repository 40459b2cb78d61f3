package dev.tracemonitor.bench;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.Reply;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Done-when 1 of the overload issue: the fake OpenAI endpoint answers with a fixed latency and a fixed number of
 * handler threads, so it serves C = threads / latency calls per second (the service may have more calls in flight:
 * they queue at the endpoint); the driver sends traces at the rate whose sampled judge calls are {@code factor} × C
 * for the load period, then stops. The endpoint then recovers: its latency is divided by the drain factor, so it
 * serves drain factor × C (an endpoint whose other clients have gone, or that has scaled out). Without that the
 * drain of a backlog of (factor − 1) × C × load time at C would take (factor − 1) × the load time, some 45 minutes
 * after 5; with it, (factor − 1) / drain factor × the load time if the service keeps up with the endpoint (the
 * report gives the calls/s achieved during the drain). While the service works the backlog off, its heap (in use,
 * and after the latest GC), and the backlog gauge are sampled each second; at the end every well-formed trace must
 * be in trace_logs exactly once and every sampled, applicable (trace, judge) in trace_assessments exactly once. The
 * heap bound, half of the heap's max after a GC, is what a backlog held on the heap would break: at 10× for 5 minutes
 * it holds some 30,000 sampled traces, over 100 MB of decoded traces.
 */
final class Overload {

    private static final List<BuiltinJudge> JUDGES = List.of(BuiltinJudge.SAFETY, BuiltinJudge.RELEVANCE_TO_QUERY);
    private static final double SAMPLE = 0.5;

    private Overload() {
    }

    /** The service as the sampler saw it: the highest heap in use, after a GC, and backlog; the last backlog. */
    private static final class Peaks {
        final AtomicLong heapUsed = new AtomicLong();
        final AtomicLong heapAfterGc = new AtomicLong();
        final AtomicLong backlog = new AtomicLong();
        final AtomicLong lastBacklog = new AtomicLong(-1);
    }

    static void run(Options options, Report report) throws Exception {
        int threads = options.overloadEndpointThreads();
        Duration latency = Duration.ofMillis(options.overloadLatencyMillis());
        double capacity = threads * 1000.0 / latency.toMillis();
        Duration drainLatency = Duration.ofMillis(Math.max(1, Math.round(latency.toMillis() / options.overloadDrainFactor())));
        TraceCorpus corpus = new TraceCorpus(TraceCorpus.Settings.defaults(Session.EXPERIMENT), 0x0FL);
        double callsPerTrace = SAMPLE * averageApplicableJudges(corpus, 2_000);
        double tracesPerSecond = options.overloadFactor() * capacity / callsPerTrace;
        long traces = (long) (tracesPerSecond * options.overloadMinutes() * 60);
        String section = String.format("overload: %.0f× the endpoint's %.0f calls/s (%d threads, %d ms) for %s min,"
                        + " then its capacity × %.0f", options.overloadFactor(), capacity, threads, latency.toMillis(),
                options.overloadMinutes(), options.overloadDrainFactor());
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (FakeOpenAiServer llm = FakeOpenAiServer.builder().threads(threads)
                .behavior(Behavior.always(Reply.yes()).withLatency(latency)).recording(false).start()) {
            Map<String, String> settings = new LinkedHashMap<>(options.serviceSettings());
            settings.put("trace-monitor.judge.backend", "llm");
            settings.put("trace-monitor.llm.base.url", llm.baseUrl());
            settings.put("trace-monitor.llm.model", "fake-judge");
            settings.put("trace-monitor.llm.api.key.env", "");
            settings.put("trace-monitor.http.port", Integer.toString(port));
            try (Session session = Session.start(options, "overload", options.serviceHeap(), settings, corpus)) {
                session.monitor(SAMPLE, JUDGES.stream().map(BuiltinJudge::wireName).toList());
                Peaks peaks = new Peaks();
                Thread sampler = sampler(session.service(), port, peaks);
                sampler.start();
                long startNanos = System.nanoTime();
                LoadDriver.Result produced;
                try (KafkaProducer<byte[], byte[]> producer = session.kafka().loadProducer(5)) {
                    producer.partitionsFor("traces");
                    produced = session.driver().produce(producer, "traces", traces, tracesPerSecond, null, false);
                }
                double loadSeconds = (System.nanoTime() - startNanos) / 1e9;
                long backlogAtStop = peaks.lastBacklog.get();
                int callsAtStop = llm.requestCount();
                llm.behavior(Behavior.always(Reply.yes()).withLatency(drainLatency));
                Expected expected = expected(corpus, traces);
                // three times the drain at drain capacity, and five minutes for the rest
                Duration drainTimeout = Duration.ofSeconds((long) ((options.overloadFactor() - 1)
                        / options.overloadDrainFactor() * loadSeconds * 3) + 300);
                session.watcher().awaitRows(expected.wellFormed().size(), drainTimeout);
                Map<String, Integer> pairs = awaitAssessments(session.table(), peaks, expected.pairs().size(),
                        drainTimeout);
                double drainSeconds = (System.nanoTime() - startNanos) / 1e9 - loadSeconds;
                int drainCalls = llm.requestCount() - callsAtStop;
                sampler.interrupt();
                sampler.join();
                long heapMax = session.service().heapMax();

                report.add(section, String.format("traces sent at %.0f/s for %.0f s (%,d; sampling %.1f, %s)",
                        tracesPerSecond, loadSeconds, produced.records(), SAMPLE, JUDGES.stream()
                                .map(BuiltinJudge::wireName).toList()), String.format("%,.0f judge calls/s demanded",
                        tracesPerSecond * callsPerTrace));
                report.add(section, "endpoint calls answered during the load / calls/s",
                        String.format("%,d / %.1f", callsAtStop, callsAtStop / loadSeconds));
                report.add(section, String.format("endpoint calls during the drain / calls/s (capacity %.0f/s: %d ms)",
                        capacity * options.overloadDrainFactor(), drainLatency.toMillis()),
                        String.format("%,d / %.1f", drainCalls, drainCalls / drainSeconds));
                report.add(section, "service heap, most in use / most after a GC, -Xmx" + options.serviceHeap(),
                        ProcStatus.mib(peaks.heapUsed.get()) + " / " + ProcStatus.mib(peaks.heapAfterGc.get()),
                        "after GC < half the heap's max (" + ProcStatus.mib(heapMax / 2) + ")",
                        peaks.heapAfterGc.get() > 0 && peaks.heapAfterGc.get() < heapMax / 2);
                report.add(section, "service peak RSS (VmHWM)", ProcStatus.mib(session.service().peakRss()));
                report.add(section, "trace_monitor_judge_backlog: peak / when the load stopped / at the end",
                        String.format("%,d / %,d / %,d", peaks.backlog.get(), backlogAtStop, peaks.lastBacklog.get()),
                        "peak ≥ half the sampled pairs, drains to 0",
                        peaks.backlog.get() >= expected.pairs().size() / 2 && peaks.lastBacklog.get() == 0);
                report.add(section, "drain time after the load stopped", String.format("%.0f s", drainSeconds));
                List<String> ids = DeltaTableStats.read(DefaultEngine.create(new Configuration()),
                        session.table().toString()).orElseThrow().traceIds();
                Set<String> distinct = new HashSet<>(ids);
                report.add(section, "trace_logs rows / distinct ids / well-formed traces sent",
                        String.format("%,d / %,d / %,d", ids.size(), distinct.size(), expected.wellFormed().size()),
                        "each sent trace once", ids.size() == distinct.size()
                                && distinct.equals(expected.wellFormed()));
                long once = expected.pairs().stream().filter(p -> pairs.getOrDefault(p, 0) == 1).count();
                long extra = pairs.entrySet().stream()
                        .filter(e -> !expected.pairs().contains(e.getKey()) || e.getValue() > 1).count();
                report.add(section, "sampled (trace, judge) with exactly one Assessment / expected / other rows",
                        String.format("%,d / %,d / %,d", once, expected.pairs().size(), extra),
                        "all, none other", once == expected.pairs().size() && extra == 0);
            }
        }
    }

    /** The mean number of the judges that apply to (make a call for) a well-formed trace of the corpus. */
    private static double averageApplicableJudges(TraceCorpus corpus, int records) {
        long judges = 0;
        long wellFormed = 0;
        for (long i = 0; i < records; i++) {
            TraceCorpus.Record record = corpus.record(i);
            if (record.wellFormed()) {
                wellFormed++;
                judges += applicable(TraceJsonCodec.decode(record.value())).size();
            }
        }
        return (double) judges / wellFormed;
    }

    private static List<BuiltinJudge> applicable(Trace trace) {
        JudgeInputs inputs = new JudgeInputs(trace);
        return JUDGES.stream().filter(j -> j.notApplicableReason(inputs).isEmpty()).toList();
    }

    /** The well-formed trace ids sent, and each sampled trace's applicable judges as {@code id/judge}. */
    private record Expected(Set<String> wellFormed, Set<String> pairs) {
    }

    /** What the driver sent: the corpus is deterministic, so records 0 to {@code count} − 1 again. */
    private static Expected expected(TraceCorpus corpus, long count) {
        Set<String> wellFormed = new HashSet<>();
        Set<String> pairs = new HashSet<>();
        for (long i = 0; i < count; i++) {
            TraceCorpus.Record record = corpus.record(i);
            if (!record.wellFormed()) {
                continue;
            }
            wellFormed.add(record.traceId());
            if (Sampler.selected(record.traceId(), SAMPLE)) {
                for (BuiltinJudge judge : applicable(TraceJsonCodec.decode(record.value()))) {
                    pairs.add(record.traceId() + "/" + judge.wireName());
                }
            }
        }
        return new Expected(wellFormed, pairs);
    }

    /**
     * Waits until the backlog is 0 and trace_assessments holds {@code expected} rows; returns its rows counted by
     * {@code trace_id/assessment_name}.
     */
    private static Map<String, Integer> awaitAssessments(Path tracesTable, Peaks peaks, int expected, Duration timeout)
            throws Exception {
        Path table = tracesTable.resolveSibling("trace_assessments_" + Session.EXPERIMENT);
        DeltaWatcher watcher = new DeltaWatcher(table);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            DeltaWatcher.Commit commit = watcher.poll();
            if (peaks.lastBacklog.get() == 0 && commit != null && commit.rows() >= expected) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the backlog did not drain within " + timeout + ": backlog "
                        + peaks.lastBacklog.get() + ", trace_assessments " + commit + " of " + expected + " rows");
            }
            Thread.sleep(1000);
        }
        Map<String, Integer> counts = new HashMap<>();
        DeltaTableStats.read(DefaultEngine.create(new Configuration()), table.toString()).orElseThrow()
                .forEachRow(row -> counts.merge(row.getString(0) + "/" + row.getString(2), 1, Integer::sum));
        return counts;
    }

    /**
     * Every second: the service's {@code /metrics} (heap in use, summed over the heap pools; the backlog gauge) and,
     * over JMX, the heap after the latest garbage collection.
     */
    private static Thread sampler(ServiceProcess service, int port, Peaks peaks) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build();
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
                    long heap = 0;
                    long backlog = -1;
                    for (String line : text.split("\n")) {
                        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                            heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        } else if ((line.startsWith("trace_monitor_judge_backlog ")
                                || line.startsWith("trace_monitor_judge_backlog{"))) {
                            backlog = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        }
                    }
                    peaks.heapUsed.accumulateAndGet(heap, Math::max);
                    peaks.heapAfterGc.accumulateAndGet(service.heapAfterLastGc(), Math::max);
                    if (backlog >= 0) {
                        peaks.backlog.accumulateAndGet(backlog, Math::max);
                        peaks.lastBacklog.set(backlog);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.err.println("overload sampler: " + e);
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "overload-sampler");
        thread.setDaemon(true);
        return thread;
    }
}
