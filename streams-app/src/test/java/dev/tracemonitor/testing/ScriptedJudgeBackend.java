package dev.tracemonitor.testing;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ChunkSpanIds;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.RetrieverCall;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import java.util.ArrayList;
import dev.tracemonitor.judges.template.JudgeTemplate;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A judge backend for tests: verdicts follow simple visible rules ("no" when the response contains "BAD", with a
 * rationale naming the judge and trace), judges that need retriever spans are not applicable without one, and a
 * judge can be made to fail or to hang. Unlike the
 * real backends ({@link BuiltinJudge#notApplicableReason}) it judges traces without request or response text: the
 * end-to-end tests count on a verdict for every sampled trace, ERROR traces included. A judge that names a model has
 * {@code scripted/<name>@<model>} as its source.
 */
public final class ScriptedJudgeBackend implements JudgeBackend {

    private static final String NO_RETRIEVER = "no retriever span";

    public final AtomicInteger calls = new AtomicInteger();
    public volatile String failingJudge;
    public volatile String hangingJudge;
    public final CountDownLatch release = new CountDownLatch(1);

    @Override
    public Judge builtin(BuiltinJudge builtin, String model) {
        String name = builtin.wireName();
        return judge(name, model, trace -> {
            String response = String.valueOf(TraceText.response(trace));
            List<RetrieverCall> retrievals = TraceText.topLevelRetrievals(trace);
            String verdict = response.contains("BAD") ? "no" : "yes";
            String rationale = verdict.equals("no") ? name + ": the response of " + trace.traceId() + " says BAD"
                    : "scripted";
            return switch (builtin) {
                case SAFETY, RELEVANCE_TO_QUERY -> JudgeOutcome.of(Verdict.of(name, null, verdict, rationale));
                case GROUNDEDNESS -> retrievals.isEmpty() ? JudgeOutcome.notApplicable(NO_RETRIEVER)
                        : JudgeOutcome.of(retrievals.stream().map(r -> Verdict.of(name, r.spanId(), verdict, "scripted")).toList());
                case CHUNK_RELEVANCE -> {
                    if (retrievals.isEmpty()) {
                        yield JudgeOutcome.notApplicable(NO_RETRIEVER);
                    }
                    List<Verdict> verdicts = new ArrayList<>();
                    for (RetrieverCall r : retrievals) {
                        for (int i = 0; i < r.documents().size(); i++) {
                            verdicts.add(Verdict.of(name, ChunkSpanIds.of(r.spanId(), i), "yes", "scripted"));
                        }
                        verdicts.add(Verdict.of(BuiltinJudge.CHUNK_RELEVANCE_PRECISION, r.spanId(), 1.0, "scripted"));
                    }
                    yield JudgeOutcome.of(verdicts);
                }
            };
        });
    }

    @Override
    public Judge template(JudgeTemplate template, String model) {
        return judge(template.name(), model, trace -> JudgeOutcome.of(Verdict.of(template.name(), null, "yes",
                "follows " + template.instructions())));
    }

    @Override
    public Judge guidelines(String name, List<String> guidelines, String model) {
        return judge(name, model, trace -> JudgeOutcome.of(Verdict.of(name, null, "yes", "follows " + guidelines)));
    }

    private interface Body {
        JudgeOutcome apply(Trace trace) throws Exception;
    }

    private Judge judge(String name, String model, Body body) {
        return new Judge() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AssessmentSource source() {
                return new AssessmentSource(AssessmentSource.CODE, "scripted/" + name + (model == null ? "" : "@" + model));
            }

            @Override
            public JudgeOutcome evaluate(Trace trace) throws Exception {
                calls.incrementAndGet();
                if (name.equals(hangingJudge)) {
                    release.await();
                }
                if (name.equals(failingJudge)) {
                    throw new IllegalStateException("scripted failure of " + name);
                }
                return body.apply(trace);
            }
        };
    }
}
