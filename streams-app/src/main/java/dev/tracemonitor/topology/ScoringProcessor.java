package dev.tracemonitor.topology;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.scoring.Assessments;
import dev.tracemonitor.scoring.Completion;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.JudgeTask;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.AssessmentEncoder;
import dev.tracemonitor.serde.FeedbackHeaders;
import dev.tracemonitor.sink.TableAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores and assembles. Each sampled trace is kept in a changelogged store with the judges it awaits (the durable
 * queue of pending (trace, judge) tasks); calls run on the {@link ScoringEngine}'s threads; completed results are
 * forwarded from a short wall-clock punctuator on the stream thread: each Assessment to {@code trace-feedback} at
 * once, and the trace with all its assessments to {@code traces-assessed} when the last judge has answered or the
 * scoring deadline has passed. Unsampled traces pass straight through, as received when that is MLflow JSON
 * the encoding would not change. After a restart, pending tasks are re-issued.
 */
final class ScoringProcessor implements Processor<String, PlannedTrace, String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);

    private final ScoringEngine engine;
    private final JudgeFactory judges;
    private final TraceMonitorMetrics metrics;
    private final Duration deadline;
    private final Duration drainInterval;
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    /** Tasks submitted and not yet drained, with the table their feedback belongs to (also when it comes late). */
    private final Map<String, TableAddress> submitted = new HashMap<>();
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> awaiting;
    private KeyValueStore<String, byte[]> results;
    private KeyValueStore<String, byte[]> late;

    private final AssessmentEncoder feedbackEncoder;
    private final String feedbackTopic;

    ScoringProcessor(ScoringEngine engine, JudgeFactory judges, TraceMonitorMetrics metrics, Duration deadline,
                     Duration drainInterval, AssessmentEncoder feedbackEncoder, String feedbackTopic) {
        this.feedbackEncoder = feedbackEncoder;
        this.feedbackTopic = feedbackTopic;
        this.engine = engine;
        this.judges = judges;
        this.metrics = metrics;
        this.deadline = deadline;
        this.drainInterval = drainInterval;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.awaiting = context.getStateStore(TraceMonitorTopology.AWAITING_STORE);
        this.results = context.getStateStore(TraceMonitorTopology.RESULTS_STORE);
        this.late = context.getStateStore(TraceMonitorTopology.LATE_STORE);
        context.schedule(drainInterval, PunctuationType.WALL_CLOCK_TIME, now -> drainCompletions());
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::releaseExpired);
        reissuePending();
    }

    @Override
    public void process(Record<String, PlannedTrace> record) {
        PlannedTrace plan = record.value();
        if (plan.judges().isEmpty()) {
            emitAssessed(plan, List.of());
            return;
        }
        String traceId = plan.trace().traceId();
        if (awaiting.get(traceId) != null) {
            LOG.debug("trace {} is already being scored; duplicate ignored", traceId);
            return;
        }
        long deadlineMillis = context.currentSystemTimeMs() + deadline.toMillis();
        awaiting.put(traceId, StoreCodec.encodeAwaiting(new AwaitingTrace(plan, deadlineMillis)));
        deadlines.add(new Deadline(deadlineMillis, traceId));
        for (JudgeSpec spec : plan.judges()) {
            submit(new JudgeTask(traceId, spec, plan.configVersion()), plan.trace(), plan.table());
        }
    }

    private void submit(JudgeTask task, Trace trace, TableAddress table) {
        if (submitted.putIfAbsent(task.key(), table) == null) {
            Judge judge = judges.judgeFor(task.judge());
            engine.submit(task, judge, trace, completions::add);
        }
    }

    private void reissuePending() {
        int reissued = 0;
        try (KeyValueIterator<String, byte[]> it = awaiting.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                AwaitingTrace trace = StoreCodec.decodeAwaiting(entry.value);
                deadlines.add(new Deadline(trace.deadlineMillis(), entry.key));
                for (JudgeSpec spec : trace.plan().judges()) {
                    JudgeTask task = new JudgeTask(entry.key, spec, trace.plan().configVersion());
                    if (results.get(task.key()) == null) {
                        submit(task, trace.plan().trace(), trace.plan().table());
                        reissued++;
                    }
                }
            }
        }
        try (KeyValueIterator<String, byte[]> it = late.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                PlannedTrace plan = StoreCodec.decodeAwaiting(entry.value).plan();
                for (JudgeSpec spec : plan.judges()) {
                    submit(new JudgeTask(entry.key, spec, plan.configVersion()), plan.trace(), plan.table());
                    reissued++;
                }
            }
        }
        if (reissued > 0) {
            LOG.info("re-issued {} pending judge tasks after restart or rebalance", reissued);
        }
    }

    private void drainCompletions() {
        Completion completion;
        Map<String, AwaitingTrace> touched = new HashMap<>();
        while ((completion = completions.poll()) != null) {
            JudgeTask task = completion.task();
            TableAddress table = submitted.remove(task.key());
            if (results.get(task.key()) != null) {
                continue;
            }
            byte[] awaitingBytes = awaiting.get(task.traceId());
            if (awaitingBytes == null && !takeLateTask(task)) {
                LOG.debug("result of {} for trace {} was already published", task.judge().name(), task.traceId());
                continue;
            }
            Judge judge = judges.judgeFor(task.judge());
            List<Assessment> assessments = toAssessments(completion, judge);
            for (Assessment assessment : assessments) {
                RecordHeaders headers = new RecordHeaders();
                if (table != null) {
                    table.writeTo(headers);
                }
                FeedbackHeaders.writeLate(headers, awaitingBytes == null);
                context.forward(new Record<>(task.traceId(), feedbackEncoder.encode(feedbackTopic, assessment),
                        context.currentSystemTimeMs(), headers), TraceMonitorTopology.FEEDBACK_SINK);
                metrics.feedbackOut();
            }
            if (awaitingBytes == null) {
                metrics.lateFeedback();
                continue;
            }
            String notApplicable = completion.outcome() != null ? completion.outcome().notApplicableReason() : null;
            results.put(task.key(), StoreCodec.encodeResult(assessments, notApplicable));
            touched.computeIfAbsent(task.traceId(), id -> StoreCodec.decodeAwaiting(awaitingBytes));
        }
        touched.forEach((traceId, trace) -> {
            if (allAnswered(trace)) {
                release(trace);
            }
        });
    }

    private void releaseExpired(long now) {
        while (!deadlines.isEmpty() && deadlines.peek().atMillis() <= now) {
            String traceId = deadlines.poll().traceId();
            byte[] bytes = awaiting.get(traceId);
            AwaitingTrace trace = bytes == null ? null : StoreCodec.decodeAwaiting(bytes);
            if (trace != null && trace.deadlineMillis() <= now) {
                LOG.warn("scoring deadline passed for trace {}; writing it with the feedback received so far", traceId);
                release(trace);
            }
        }
    }

    /** When a trace in the scoring store must be released; kept in memory, rebuilt from the store on init. */
    private record Deadline(long atMillis, String traceId) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline other) {
            return Long.compare(atMillis, other.atMillis);
        }
    }

    private boolean allAnswered(AwaitingTrace trace) {
        String traceId = trace.plan().trace().traceId();
        for (JudgeSpec spec : trace.plan().judges()) {
            if (results.get(JudgeTask.resultKey(traceId, spec.name())) == null) {
                return false;
            }
        }
        return true;
    }

    private void release(AwaitingTrace trace) {
        String traceId = trace.plan().trace().traceId();
        List<Assessment> assessments = new ArrayList<>();
        List<JudgeSpec> unanswered = new ArrayList<>();
        for (JudgeSpec spec : trace.plan().judges()) {
            String key = JudgeTask.resultKey(traceId, spec.name());
            byte[] result = results.get(key);
            if (result == null) {
                unanswered.add(spec);
            } else {
                assessments.addAll(StoreCodec.decodeResultAssessments(result));
                results.delete(key);
            }
        }
        awaiting.delete(traceId);
        if (!unanswered.isEmpty()) {
            PlannedTrace plan = trace.plan();
            late.put(traceId, StoreCodec.encodeAwaiting(new AwaitingTrace(
                    new PlannedTrace(plan.trace(), plan.table(), unanswered, plan.configVersion()), 0)));
        }
        emitAssessed(trace.plan(), assessments);
    }

    /**
     * A result for a trace already written: publish it only if its task is still recorded as outstanding (so a task
     * re-issued after a restart never publishes twice), and strike it off.
     */
    private boolean takeLateTask(JudgeTask task) {
        byte[] bytes = late.get(task.traceId());
        if (bytes == null) {
            return false;
        }
        PlannedTrace plan = StoreCodec.decodeAwaiting(bytes).plan();
        List<JudgeSpec> remaining = plan.judges().stream().filter(j -> !j.name().equals(task.judge().name())).toList();
        if (remaining.size() == plan.judges().size()) {
            return false;
        }
        if (remaining.isEmpty()) {
            late.delete(task.traceId());
        } else {
            late.put(task.traceId(), StoreCodec.encodeAwaiting(new AwaitingTrace(
                    new PlannedTrace(plan.trace(), plan.table(), remaining, plan.configVersion()), 0)));
        }
        return true;
    }

    private void emitAssessed(PlannedTrace plan, List<Assessment> newAssessments) {
        Trace trace = plan.trace();
        byte[] json = plan.receivedJson();
        if (!newAssessments.isEmpty()) {
            List<Assessment> all = new ArrayList<>(trace.info().assessments());
            all.addAll(newAssessments);
            trace = trace.withAssessments(all);
            json = null;
        }
        RecordHeaders headers = new RecordHeaders();
        plan.table().writeTo(headers);
        context.forward(new Record<>(trace.traceId(), json != null ? json : TraceJsonCodec.encode(trace),
                context.currentSystemTimeMs(), headers), TraceMonitorTopology.ASSESSED_SINK);
        metrics.traceAssessed(!plan.judges().isEmpty());
    }

    private List<Assessment> toAssessments(Completion completion, Judge judge) {
        List<Assessment> assessments = Assessments.fromCompletion(completion, judge, context.currentSystemTimeMs());
        String judgeName = completion.task().judge().name();
        if (assessments.isEmpty()) {
            metrics.judgeOutcome(judgeName, Assessments.NOT_APPLICABLE);
        }
        for (Assessment a : assessments) {
            metrics.judgeOutcome(a.assessmentName(), Assessments.outcome(a.feedback()));
        }
        return assessments;
    }
}
