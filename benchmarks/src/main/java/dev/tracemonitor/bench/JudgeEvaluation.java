package dev.tracemonitor.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.judges.local.LocalJudgeBackend;
import dev.tracemonitor.judges.local.LocalJudgeSettings;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TestTraces.Doc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The local judges against the labelled set {@code judge-eval/judge-eval.jsonl} (issue 13): every item becomes an
 * MLflow JSON trace (a chat span with the request and response, and a RETRIEVER span holding the item's passages when
 * it has any), decoded by the service's codec and judged by every builtin judge of the service's own
 * {@link LocalJudgeBackend}. The verdict of the item's judge is compared with its label; the "no" class is the one a
 * monitor exists to catch, so precision and recall are of "no". Latency is the wall time of judging one whole trace
 * with all four judges in turn (those that do not apply return at once), after a warm-up pass over the same traces
 * with altered text, so that the measured pass finds the JIT and the model warm but not its own texts in the cache.
 */
public final class JudgeEvaluation {

    static final String RESOURCE = "judge-eval/judge-eval.jsonl";

    /** One line of the labelled set (its README describes the fields). */
    public record Item(String id, String judge, String label, String split, String category, String kind,
                       String request, String response, List<String> context, String note) {
    }

    /** What a judge answered for one item: "yes", "no", or "n/a" (not applicable, an error or no verdict). */
    public record Answer(Item item, String value, String rationale, Map<String, String> metadata, long nanos) {
        boolean correct() {
            return item.label().equals(value);
        }
    }

    /** The confusion matrix of one judge over some items, with "no" as the positive class. */
    public record Counts(int noAsNo, int noAsYes, int noAsOther, int yesAsNo, int yesAsYes, int yesAsOther) {
        static Counts of(List<Answer> answers) {
            int[] c = new int[6];
            for (Answer a : answers) {
                int row = a.item().label().equals("no") ? 0 : 3;
                int col = switch (a.value()) {
                    case "no" -> 0;
                    case "yes" -> 1;
                    default -> 2;
                };
                c[row + col]++;
            }
            return new Counts(c[0], c[1], c[2], c[3], c[4], c[5]);
        }

        int total() {
            return noAsNo + noAsYes + noAsOther + yesAsNo + yesAsYes + yesAsOther;
        }

        double recallNo() {
            return ratio(noAsNo, noAsNo + noAsYes + noAsOther);
        }

        double precisionNo() {
            return ratio(noAsNo, noAsNo + yesAsNo);
        }

        double agreement() {
            return ratio(noAsNo + yesAsYes, total());
        }

        private static double ratio(int a, int b) {
            return b == 0 ? Double.NaN : (double) a / b;
        }
    }

    /**
     * The answers of the measured pass, the per-trace latencies (nanoseconds, one per item) and each judge's share of
     * them (nanoseconds per item and judge, so that a slow trace can be traced to its judge).
     */
    public record Result(List<Answer> answers, long[] traceNanos, Map<BuiltinJudge, long[]> judgeNanos) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private JudgeEvaluation() {
    }

    public static List<Item> items() throws IOException {
        List<Item> items = new ArrayList<>();
        try (InputStream in = JudgeEvaluation.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    items.add(JSON.readValue(line, Item.class));
                }
            }
        }
        return items;
    }

    public static Result run(LocalJudgeSettings settings, List<Item> items) {
        try (LocalJudgeBackend backend = new LocalJudgeBackend(settings)) {
            backend.warmUp();
            Map<BuiltinJudge, Judge> judges = new EnumMap<>(BuiltinJudge.class);
            for (BuiltinJudge builtin : BuiltinJudge.values()) {
                judges.put(builtin, backend.builtin(builtin, null));
            }
            Map<BuiltinJudge, long[]> judgeNanos = new EnumMap<>(BuiltinJudge.class);
            for (BuiltinJudge builtin : BuiltinJudge.values()) {
                judgeNanos.put(builtin, new long[items.size()]);
            }
            for (int i = 0; i < items.size(); i++) {
                judgeAll(judges, trace(items.get(i), text -> text + " (warm-up)"), judgeNanos, i);
            }
            List<Answer> answers = new ArrayList<>();
            long[] nanos = new long[items.size()];
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                Trace trace = trace(item, UnaryOperator.identity());
                long start = System.nanoTime();
                Map<BuiltinJudge, JudgeOutcome> outcomes = judgeAll(judges, trace, judgeNanos, i);
                nanos[i] = System.nanoTime() - start;
                answers.add(answer(item, outcomes.get(BuiltinJudge.fromName(item.judge())), nanos[i]));
            }
            return new Result(answers, nanos, judgeNanos);
        }
    }

    /** Every judge on the trace in turn; each judge's time goes to {@code judgeNanos[judge][index]}. */
    private static Map<BuiltinJudge, JudgeOutcome> judgeAll(Map<BuiltinJudge, Judge> judges, Trace trace,
                                                            Map<BuiltinJudge, long[]> judgeNanos, int index) {
        Map<BuiltinJudge, JudgeOutcome> outcomes = new EnumMap<>(BuiltinJudge.class);
        judges.forEach((builtin, judge) -> {
            long start = System.nanoTime();
            try {
                outcomes.put(builtin, judge.evaluate(trace));
            } catch (Exception e) {
                outcomes.put(builtin, JudgeOutcome.notApplicable("failed: " + e));
            }
            judgeNanos.get(builtin)[index] = System.nanoTime() - start;
        });
        return outcomes;
    }

    /** The item as a trace: the request and response on a chat span, the passages on one RETRIEVER span. */
    static Trace trace(Item item, UnaryOperator<String> text) {
        TestTraces trace = TestTraces.trace(item.id()).request(text.apply(item.request()));
        if (!item.response().isEmpty()) {
            trace.response(text.apply(item.response()));
        }
        if (!item.context().isEmpty()) {
            Doc[] docs = new Doc[item.context().size()];
            for (int i = 0; i < docs.length; i++) {
                docs[i] = new Doc(text.apply(item.context().get(i)), "doc://" + item.id() + "/" + i, "c" + i);
            }
            trace.retriever("ret", docs);
        }
        return TraceJsonCodec.decode(trace.json());
    }

    /** The verdict about the item: the trace-level one, or chunk 0's for chunk_relevance (not the precision). */
    private static Answer answer(Item item, JudgeOutcome outcome, long nanos) {
        if (outcome == null || !outcome.applicable()) {
            return new Answer(item, "n/a", outcome == null ? "no outcome" : outcome.notApplicableReason(), Map.of(), nanos);
        }
        Verdict verdict = outcome.verdicts().stream()
                .filter(v -> !v.assessmentName().equals(BuiltinJudge.CHUNK_RELEVANCE_PRECISION))
                .findFirst()
                .orElse(null);
        if (verdict == null || verdict.error() != null || !(verdict.value() instanceof String value)) {
            return new Answer(item, "n/a", verdict == null ? "no verdict" : String.valueOf(verdict.error()), Map.of(), nanos);
        }
        return new Answer(item, value, verdict.rationale(), verdict.metadata(), nanos);
    }

    /** The dev items' answers as JSON lines (item, value, rationale, metadata), to calibrate thresholds from. */
    static void writeDev(Result result, Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Answer answer : result.answers()) {
            if (answer.item().split().equals("dev")) {
                out.append(JSON.writeValueAsString(Map.of("item", answer.item(), "value", answer.value(),
                        "rationale", answer.rationale(), "metadata", answer.metadata()))).append('\n');
            }
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, out);
    }

    static double percentile(long[] values, double p) {
        long[] sorted = Arrays.copyOf(values, values.length);
        Arrays.sort(sorted);
        return JudgeEfficiency.percentile(sorted, p);
    }
}
