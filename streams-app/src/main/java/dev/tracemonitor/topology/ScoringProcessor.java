package dev.tracemonitor.topology;

import dev.tracemonitor.budget.JudgeBudgets;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.Verdict;
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
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
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
 * Scores and assembles. Each sampled trace is kept in a changelogged store with the judges it awaits, and its entry in
 * the queue store ({@value TraceMonitorTopology#QUEUE_STORE}) orders the pending (trace, judge) tasks by deadline:
 * the store is the queue. The {@link ScoringEngine} holds only a bounded number of tasks in memory; this processor
 * offers it more from the store, oldest first, as calls complete and after a restart, and none while the judge's
 * endpoint is down (its circuit breaker open). Completed results are forwarded from a short wall-clock punctuator on
 * the stream thread: each Assessment to {@code trace-feedback} at once, and the trace with all its assessments to
 * {@code traces-assessed} when the last judge has answered or the scoring deadline has passed (judges still pending
 * then are judged later and their feedback is late). Unsampled traces pass straight through, as received when that is
 * MLflow JSON the encoding would not change; the stream thread never waits on a judge.
 */
final class ScoringProcessor implements Processor<String, PlannedTrace, String, byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);
    /** The experiment_id label of an outcome whose task's table is not known (a completion this instance never sent). */
    private static final String UNKNOWN_EXPERIMENT = "unknown";
    /** The token counts of an Assessment's metadata, by the {@code kind} label of their meter. */
    private static final Map<String, String> USAGE_KINDS = Map.of(Verdict.INPUT_TOKENS_KEY, "input",
            Verdict.OUTPUT_TOKENS_KEY, "output");
    /** Queue keys: the kind, the deadline (epoch ms, 19 digits, so that keys sort by it), '/', the trace id. */
    static final String AWAITING_PREFIX = "A";
    static final String LATE_PREFIX = "L";

    private final ScoringEngine engine;
    private final JudgeFactory judges;
    private final TraceMonitorMetrics metrics;
    private final Duration deadline;
    private final Duration drainInterval;
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    /** Tasks in the engine and not yet drained, with the table their feedback belongs to (also when it comes late). */
    private final Map<String, TableAddress> submitted = new HashMap<>();
    /** Queued traces each of whose outstanding tasks is in {@link #submitted}: the refill skips them unread. */
    private final Set<String> fullySubmitted = new HashSet<>();
    /** Tasks in the stores without a result yet (in the engine or not). */
    private long outstanding;

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> awaiting;
    private KeyValueStore<String, byte[]> results;
    private KeyValueStore<String, byte[]> late;
    private KeyValueStore<String, byte[]> queue;

    private final AssessmentEncoder feedbackEncoder;
    private final String feedbackTopic;
    private final JudgeBudgets budgets;

    ScoringProcessor(ScoringEngine engine, JudgeFactory judges, JudgeBudgets budgets, TraceMonitorMetrics metrics,
                     Duration deadline, Duration drainInterval, AssessmentEncoder feedbackEncoder, String feedbackTopic) {
        this.budgets = budgets;
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
        this.queue = context.getStateStore(TraceMonitorTopology.QUEUE_STORE);
        context.schedule(drainInterval, PunctuationType.WALL_CLOCK_TIME, now -> {
            drainCompletions();
            refill();
            reportBacklog(now);
        });
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::releaseExpired);
        countPending();
        refill();
        reportBacklog(context.currentSystemTimeMs());
    }

    @Override
    public void close() {
        metrics.judgeBacklog().remove(this);
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
        boolean nothingWaiting = outstanding == submitted.size();
        long deadlineMillis = context.currentSystemTimeMs() + deadline.toMillis();
        awaiting.put(traceId, StoreCodec.encodeAwaiting(new AwaitingTrace(plan, deadlineMillis)));
        queue.put(queueKey(AWAITING_PREFIX, deadlineMillis, traceId), new byte[0]);
        outstanding += plan.judges().size();
        if (nothingWaiting) {
            offer(traceId, plan, false);
        }
    }

    /**
     * Offers the engine the trace's tasks that have no result and are not in it yet; true when every one of them is
     * now in the engine. {@code answeredMayExist}: look results up (not needed for a trace just stored).
     */
    private boolean offer(String traceId, PlannedTrace plan, boolean answeredMayExist) {
        for (JudgeSpec spec : plan.judges()) {
            JudgeTask task = new JudgeTask(traceId, spec, plan.configVersion());
            if (submitted.containsKey(task.key()) || answeredMayExist && results.get(task.key()) != null) {
                continue;
            }
            Judge judge = budgets.guard(plan.table().experimentId(), plan.budget(), judges.judgeFor(spec));
            if (!engine.trySubmit(task, judge, plan.trace(), completions::add)) {
                return false;
            }
            submitted.put(task.key(), plan.table());
        }
        fullySubmitted.add(traceId);
        return true;
    }

    /**
     * Fills the engine's free room from the queue store, oldest deadline first: late tasks (their traces already
     * written) before those of traces still awaiting. Stops at the first task the engine refuses (no room, or its
     * endpoint's breaker is open), so a backlog is not read while nothing can be taken.
     */
    private void refill() {
        if (outstanding <= submitted.size() || engine.room() == 0) {
            return;
        }
        for (String prefix : List.of(LATE_PREFIX, AWAITING_PREFIX)) {
            KeyValueStore<String, byte[]> traces = prefix.equals(LATE_PREFIX) ? late : awaiting;
            try (KeyValueIterator<String, byte[]> it = queue.prefixScan(prefix, new StringSerializer())) {
                while (it.hasNext()) {
                    String traceId = traceIdOf(it.next().key);
                    if (fullySubmitted.contains(traceId)) {
                        continue;
                    }
                    byte[] bytes = traces.get(traceId);
                    if (bytes == null) {
                        continue;
                    }
                    if (!offer(traceId, StoreCodec.decodeAwaiting(bytes).plan(), prefix.equals(AWAITING_PREFIX))) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * After a restart or rebalance: counts the tasks without a result, and queues any trace of a store written
     * before the queue store existed.
     */
    private void countPending() {
        long count = 0;
        try (KeyValueIterator<String, byte[]> it = awaiting.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                AwaitingTrace trace = StoreCodec.decodeAwaiting(entry.value);
                ensureQueued(AWAITING_PREFIX, trace.deadlineMillis(), entry.key);
                for (JudgeSpec spec : trace.plan().judges()) {
                    if (results.get(JudgeTask.resultKey(entry.key, spec.name())) == null) {
                        count++;
                    }
                }
            }
        }
        try (KeyValueIterator<String, byte[]> it = late.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                AwaitingTrace trace = StoreCodec.decodeAwaiting(entry.value);
                ensureQueued(LATE_PREFIX, trace.deadlineMillis(), entry.key);
                count += trace.plan().judges().size();
            }
        }
        outstanding = count;
        if (count > 0) {
            LOG.info("{} judge tasks pending in the store after restart or rebalance; the engine takes {} at most",
                    count, engine.settings().maxInMemory());
        }
    }

    private void ensureQueued(String prefix, long deadlineMillis, String traceId) {
        String key = queueKey(prefix, deadlineMillis, traceId);
        if (queue.get(key) == null) {
            queue.put(key, new byte[0]);
        }
    }

    private void reportBacklog(long now) {
        long oldestDeadline = Long.MAX_VALUE;
        if (outstanding > 0) {
            for (String prefix : List.of(LATE_PREFIX, AWAITING_PREFIX)) {
                try (KeyValueIterator<String, byte[]> it = queue.prefixScan(prefix, new StringSerializer())) {
                    if (it.hasNext()) {
                        oldestDeadline = deadlineOf(it.next().key);
                        break;
                    }
                }
            }
        }
        metrics.judgeBacklog().report(this, outstanding,
                oldestDeadline == Long.MAX_VALUE ? now : oldestDeadline - deadline.toMillis());
    }

    static String queueKey(String prefix, long deadlineMillis, String traceId) {
        return prefix + String.format("%019d", Math.max(0, deadlineMillis)) + '/' + traceId;
    }

    private static String traceIdOf(String queueKey) {
        return queueKey.substring(queueKey.indexOf('/') + 1);
    }

    private static long deadlineOf(String queueKey) {
        return Long.parseLong(queueKey.substring(1, queueKey.indexOf('/')));
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
            outstanding--;
            Judge judge = judges.judgeFor(task.judge());
            List<Assessment> assessments = toAssessments(completion, judge, table);
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
            String notApplicable = completion.outcome() != null ? completion.outcome().noVerdictReason() : null;
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
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = queue.range(queueKey(AWAITING_PREFIX, 0, ""),
                queueKey(AWAITING_PREFIX, now + 1, ""))) {
            while (it.hasNext()) {
                expired.add(traceIdOf(it.next().key));
            }
        }
        for (String traceId : expired) {
            byte[] bytes = awaiting.get(traceId);
            if (bytes != null) {
                LOG.warn("scoring deadline passed for trace {}; writing it with the feedback received so far", traceId);
                release(StoreCodec.decodeAwaiting(bytes));
            }
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
        queue.delete(queueKey(AWAITING_PREFIX, trace.deadlineMillis(), traceId));
        if (unanswered.isEmpty()) {
            fullySubmitted.remove(traceId);
        } else {
            PlannedTrace plan = trace.plan();
            late.put(traceId, StoreCodec.encodeAwaiting(new AwaitingTrace(
                    plan.withJudges(unanswered),
                    trace.deadlineMillis())));
            queue.put(queueKey(LATE_PREFIX, trace.deadlineMillis(), traceId), new byte[0]);
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
        AwaitingTrace entry = StoreCodec.decodeAwaiting(bytes);
        PlannedTrace plan = entry.plan();
        List<JudgeSpec> remaining = plan.judges().stream().filter(j -> !j.name().equals(task.judge().name())).toList();
        if (remaining.size() == plan.judges().size()) {
            return false;
        }
        if (remaining.isEmpty()) {
            late.delete(task.traceId());
            queue.delete(queueKey(LATE_PREFIX, entry.deadlineMillis(), task.traceId()));
            fullySubmitted.remove(task.traceId());
        } else {
            late.put(task.traceId(), StoreCodec.encodeAwaiting(new AwaitingTrace(
                    plan.withJudges(remaining),
                    entry.deadlineMillis())));
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

    /**
     * The tokens and cost of the model call an Assessment came from, as its metadata records them; a value that is not
     * a non-negative number (metadata is the judge's to write) is not counted.
     */
    private void countUsage(String experimentId, String judgeName, Map<String, String> metadata) {
        for (Map.Entry<String, String> kind : USAGE_KINDS.entrySet()) {
            Double tokens = nonNegative(metadata.get(kind.getKey()));
            if (tokens != null) {
                metrics.judgeTokens(experimentId, judgeName, kind.getValue(), tokens.longValue());
            }
        }
        Double cost = nonNegative(metadata.get(Verdict.COST_KEY));
        if (cost != null) {
            metrics.judgeCost(experimentId, judgeName, cost);
        }
    }

    private static Double nonNegative(String number) {
        if (number == null) {
            return null;
        }
        try {
            double value = Double.parseDouble(number);
            return Double.isFinite(value) && value >= 0 ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private List<Assessment> toAssessments(Completion completion, Judge judge, TableAddress table) {
        List<Assessment> assessments = Assessments.fromCompletion(completion, judge, context.currentSystemTimeMs());
        String judgeName = completion.task().judge().name();
        String experimentId = table != null ? table.experimentId() : UNKNOWN_EXPERIMENT;
        if (assessments.isEmpty()) {
            metrics.judgeOutcome(experimentId, judgeName, completion.outcome() != null && completion.outcome().skipped()
                    ? Assessments.SKIPPED_BUDGET : Assessments.NOT_APPLICABLE);
        }
        for (Assessment a : assessments) {
            metrics.judgeOutcome(experimentId, a.assessmentName(), Assessments.outcome(a.feedback()));
            countUsage(experimentId, judgeName, a.metadata());
        }
        return assessments;
    }
}
