package dev.tracemonitor.backfill;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.TraceLogsSchema;
import dev.tracemonitor.filter.TraceFilter;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.judges.llm.ModelPrices;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.sampling.Sampler;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.scoring.Assessments;
import dev.tracemonitor.scoring.Completion;
import dev.tracemonitor.scorers.ScorerRegistry;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.JudgeTask;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.AssessmentEncoder;
import dev.tracemonitor.serde.FeedbackHeaders;
import dev.tracemonitor.serde.TraceFormats;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.And;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Judges a monitor's past traces: reads them from its {@code trace_logs} table (files pruned by {@code request_date},
 * rows kept by {@code request_time} in [from, to)), keeps those the monitor's filter matches and the sampling rule
 * selects, leaves out the (trace, judge) pairs already judged (by the service: the row's or the assessments table's
 * Assessments; by an earlier backfill: {@link BackfillProgress}), and runs the rest through the {@link ScoringEngine}
 * as the service does. Each finished pair's Assessments go to {@code trace-feedback} with their deterministic ids, in
 * one Kafka transaction with the pair's progress record, so that a run interrupted at any point and run again judges
 * each pair once. The plan is made in a first pass over the table and is all a dry run does.
 */
public final class Backfill {

    /** Characters per token of the dry run's estimate. */
    public static final int CHARS_PER_TOKEN = 4;
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_PAIRS_PER_TRANSACTION = 100;
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

    /**
     * What to backfill: the monitor's judges named in {@code judges} (all of them when empty; a builtin judge the
     * monitor does not have is taken at the sampling rate), {@code sample} instead of the judges' own rates when set.
     */
    public record Request(String experimentId, Instant from, Instant to, List<String> judges, Double sample,
                          boolean dryRun) {
        public Request {
            judges = List.copyOf(judges);
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
            }
            if (sample != null && (sample < 0 || sample > 1)) {
                throw new IllegalArgumentException("--sample must be between 0 and 1: " + sample);
            }
        }
    }

    /**
     * What a run found and did. {@code pairs} are the sampled (trace, judge) pairs still to judge, by judge, when the
     * run started, on {@code traces} traces; {@code estimatedInputTokens} is characters/{@value #CHARS_PER_TOKEN} of each such pair's request and
     * response, {@code estimatedInputCost} its price where the judge's model has one (null otherwise).
     */
    public record Summary(long scanned, long inRange, long matched, long alreadyJudged, long traces,
                          Map<String, Long> pairs,
                          long estimatedInputTokens, BigDecimal estimatedInputCost, long judged, long assessments,
                          long errors, long inputTokens, long outputTokens, BigDecimal cost, boolean complete) {

        public long plannedPairs() {
            return pairs.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final ServiceConfig config;
    private final JudgeBackend backend;
    private final PrintWriter progressOut;
    private final BackfillProgress progress;

    public Backfill(ServiceConfig config, JudgeBackend backend, PrintWriter progressOut) {
        this.config = config;
        this.backend = backend;
        this.progressOut = progressOut;
        this.progress = new BackfillProgress(config.getString(ServiceConfig.TOPIC_BACKFILL_PROGRESS_CONFIG));
    }

    /**
     * Runs the request against the monitor; an interrupt ends it early, with what was committed kept and the summary
     * marked incomplete.
     */
    public Summary run(MonitorConfig monitor, Request request) throws InterruptedException {
        List<JudgeSpec> specs = specs(monitor, request);
        TableAddress table = new TableAddress(monitor.catalogName(), monitor.schemaName(), monitor.experimentId());
        Engine engine = DefaultEngine.create(hadoopConf());
        String warehouse = config.getString(ServiceConfig.WAREHOUSE_CONFIG);
        DeltaTableStats traceLogs = DeltaTableStats.read(engine, SinkTableKind.TRACE_LOGS.path(table, warehouse))
                .orElseThrow(() -> new IllegalArgumentException("no trace_logs table for experiment "
                        + monitor.experimentId() + " under " + warehouse));
        Map<String, Object> kafka = config.kafkaProperties();
        if (!request.dryRun()) {
            progress.create(kafka);
        }
        Set<String> done = progress.finished(kafka, monitor.experimentId(), KAFKA_TIMEOUT);
        DeltaTableStats.read(engine, SinkTableKind.TRACE_ASSESSMENTS.path(table, warehouse))
                .ifPresent(assessments -> assessments.forEachRow(row -> done.add(judgedPair(row))));

        Plan plan = plan(traceLogs, monitor, request, specs, done);
        if (request.dryRun()) {
            return plan.summary(0, 0, 0, 0, 0, null, true);
        }
        return new Execution(plan, table).run(traceLogs, request);
    }

    private static List<JudgeSpec> specs(MonitorConfig monitor, Request request) {
        List<JudgeSpec> ofMonitor = JudgeSpec.of(monitor);
        List<JudgeSpec> chosen = new ArrayList<>();
        if (request.judges().isEmpty()) {
            chosen.addAll(ofMonitor);
        }
        for (String name : request.judges()) {
            chosen.add(ofMonitor.stream().filter(s -> s.name().equals(name)).findFirst().orElseGet(
                    () -> new JudgeSpec(BuiltinJudge.fromName(name).wireName(), monitor.defaultSample(), null)));
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("the monitor of experiment " + monitor.experimentId() + " has no judges");
        }
        if (request.sample() == null) {
            return chosen;
        }
        return chosen.stream().map(s -> s.withSampleRate(request.sample())).toList();
    }

    private static String judgedPair(Row assessmentRow) {
        String traceId = assessmentRow.getString(assessmentRow.getSchema().indexOf("trace_id"));
        int metadata = assessmentRow.getSchema().indexOf("metadata");
        String judge = null;
        if (!assessmentRow.isNullAt(metadata)) {
            MapValue map = assessmentRow.getMap(metadata);
            for (int i = 0; i < map.getSize(); i++) {
                if (Assessments.JUDGE_KEY.equals(map.getKeys().getString(i)) && !map.getValues().isNullAt(i)) {
                    judge = map.getValues().getString(i);
                }
            }
        }
        if (judge == null) {
            judge = assessmentRow.getString(assessmentRow.getSchema().indexOf("assessment_name"));
        }
        return JudgeTask.resultKey(traceId, judge);
    }

    /** Files whose {@code request_date} may hold a request time in [from, to). */
    static Predicate requestDates(Instant from, Instant to) {
        Column date = new Column(TraceLogsSchema.PARTITION_COLUMN);
        return new And(new Predicate(">=", date, Literal.ofDate(TraceLogsSchema.requestDate(from.toEpochMilli()))),
                new Predicate("<=", date, Literal.ofDate(TraceLogsSchema.requestDate(to.toEpochMilli() - 1))));
    }

    /** Calls {@code consumer} with each trace of the table in the request's range, pruned and filtered. */
    private static void forEachTraceInRange(DeltaTableStats table, Request request, Counts counts,
                                            RowConsumer consumer) {
        long from = request.from().toEpochMilli();
        long to = request.to().toEpochMilli();
        table.forEachRow(requestDates(request.from(), request.to()), row -> {
            counts.scanned++;
            Trace trace = TraceLogRows.toTrace(row);
            if (trace == null || trace.info().requestTimeMillis() < from || trace.info().requestTimeMillis() >= to) {
                return;
            }
            counts.inRange++;
            consumer.accept(row, trace);
        });
    }

    private interface RowConsumer {
        void accept(Row row, Trace trace);
    }

    private static final class Counts {
        long scanned;
        long inRange;
        long matched;
        long alreadyJudged;
    }

    private Plan plan(DeltaTableStats traceLogs, MonitorConfig monitor, Request request, List<JudgeSpec> specs,
                      Set<String> done) {
        TraceFilter filter = monitor.filter() == null || monitor.filter().isBlank() ? null
                : TraceFilter.compile(monitor.filter());
        Counts counts = new Counts();
        Map<String, List<JudgeSpec>> pending = new LinkedHashMap<>();
        Map<String, Long> pairs = new LinkedHashMap<>();
        specs.forEach(s -> pairs.put(s.name(), 0L));
        ModelPrices prices = config.judging().modelPrices();
        String defaultModel = config.judging().getString(ServiceConfig.LLM_MODEL_CONFIG);
        long[] tokens = {0};
        BigDecimal[] cost = {null};
        forEachTraceInRange(traceLogs, request, counts, (row, trace) -> {
            if (filter != null && !filter.matches(trace.info())) {
                return;
            }
            counts.matched++;
            Set<String> judgedLive = TraceLogRows.judgedBy(row);
            double u = Sampler.u(trace.traceId());
            long traceTokens = (length(trace.info().requestPreview()) + length(trace.info().responsePreview()))
                    / CHARS_PER_TOKEN;
            for (JudgeSpec spec : specs) {
                if (u >= spec.sampleRate()) {
                    continue;
                }
                if (judgedLive.contains(spec.name()) || done.contains(JudgeTask.resultKey(trace.traceId(), spec.name()))) {
                    counts.alreadyJudged++;
                    continue;
                }
                pending.computeIfAbsent(trace.traceId(), id -> new ArrayList<>()).add(spec);
                pairs.merge(spec.name(), 1L, Long::sum);
                tokens[0] += traceTokens;
                BigDecimal pairCost = prices.cost(spec.model() != null ? spec.model() : defaultModel, traceTokens, 0L);
                if (pairCost != null) {
                    cost[0] = cost[0] == null ? pairCost : cost[0].add(pairCost);
                }
            }
        });
        return new Plan(counts, pending, pending.size(), pairs, tokens[0], cost[0]);
    }

    private static long length(String text) {
        return text == null ? 0 : text.length();
    }

    /** The pairs to judge, by trace id, and what the first pass counted. */
    private record Plan(Counts counts, Map<String, List<JudgeSpec>> pending, long traces, Map<String, Long> pairs,
                        long estimatedInputTokens, BigDecimal estimatedInputCost) {

        Summary summary(long judged, long assessments, long errors, long inputTokens, long outputTokens,
                        BigDecimal cost, boolean complete) {
            return new Summary(counts.scanned, counts.inRange, counts.matched, counts.alreadyJudged, traces, pairs,
                    estimatedInputTokens, estimatedInputCost, judged, assessments, errors, inputTokens, outputTokens,
                    cost, complete);
        }

        long total() {
            return pending.values().stream().mapToLong(List::size).sum();
        }
    }

    /** The second pass: judging the planned pairs and publishing what they give. */
    private final class Execution {
        private final Plan plan;
        private final TableAddress table;
        private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
        private final List<Completion> batch = new ArrayList<>();
        private final long startNanos = System.nanoTime();
        private final long total;
        private long submitted;
        private long judged;
        private long assessments;
        private long errors;
        private long inputTokens;
        private long outputTokens;
        private BigDecimal cost;
        private long lastCommitNanos = System.nanoTime();
        private long lastProgressNanos;
        private long scanned;

        Execution(Plan plan, TableAddress table) {
            this.plan = plan;
            this.table = table;
            this.total = plan.total();
        }

        Summary run(DeltaTableStats traceLogs, Request request) throws InterruptedException {
            if (total == 0) {
                return plan.summary(0, 0, 0, 0, 0, null, true);
            }
            AssessmentEncoder encoder = TraceFormats.encoder(config.getString(ServiceConfig.FORMAT_FEEDBACK_CONFIG),
                    config.originals());
            Map<String, Object> producerProps = new HashMap<>(config.kafkaProperties());
            producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "trace-monitor-backfill-" + request.experimentId());
            producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            try (ScorerRegistry scorers = ScorerRegistry.load(config.judging().scorerSettings());
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                    new ByteArraySerializer());
                 ScoringEngine engine = new ScoringEngine(config.judging().engineSettings(),
                         TraceMonitorMetrics.inMemory())) {
                JudgeFactory judges = new JudgeFactory(backend, scorers);
                producer.initTransactions();
                Counts counts = new Counts();
                try {
                    forEachTraceInRange(traceLogs, request, counts, (row, trace) -> {
                        scanned = counts.scanned;
                        List<JudgeSpec> specs = plan.pending().get(trace.traceId());
                        if (specs == null) {
                            return;
                        }
                        for (JudgeSpec spec : specs) {
                            JudgeTask task = new JudgeTask(trace.traceId(), spec, -1);
                            while (!engine.trySubmit(task, judges.judgeFor(spec), trace, completions::add)) {
                                uninterruptedStep(producer, judges, encoder);
                            }
                            submitted++;
                        }
                        plan.pending().remove(trace.traceId());
                    });
                    while (judged + batch.size() < submitted) {
                        step(producer, judges, encoder);
                    }
                    commit(producer, judges, encoder);
                } catch (Interrupted | InterruptedException | InterruptException e) {
                    // the open transaction is left to be aborted: closing the producer must not see the interrupt
                    Thread.interrupted();
                    progressOut.println();
                    progressOut.flush();
                    return plan.summary(judged, assessments, errors, inputTokens, outputTokens, cost, false);
                }
                progress(true);
            }
            return plan.summary(judged, assessments, errors, inputTokens, outputTokens, cost, true);
        }

        private void uninterruptedStep(KafkaProducer<String, byte[]> producer, JudgeFactory judges,
                                       AssessmentEncoder encoder) {
            try {
                step(producer, judges, encoder);
            } catch (InterruptedException e) {
                throw new Interrupted();
            }
        }

        /** Waits a little for completions, commits when a batch is due, and prints progress when due. */
        private void step(KafkaProducer<String, byte[]> producer, JudgeFactory judges, AssessmentEncoder encoder)
                throws InterruptedException {
            Completion completion = completions.poll(50, TimeUnit.MILLISECONDS);
            if (completion != null) {
                batch.add(completion);
                completions.drainTo(batch);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (batch.size() >= MAX_PAIRS_PER_TRANSACTION
                    || System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL.toNanos()) {
                commit(producer, judges, encoder);
            }
            progress(false);
        }

        private void commit(KafkaProducer<String, byte[]> producer, JudgeFactory judges, AssessmentEncoder encoder) {
            lastCommitNanos = System.nanoTime();
            if (batch.isEmpty()) {
                return;
            }
            String feedbackTopic = config.topics().feedback();
            producer.beginTransaction();
            List<Assessment> published = new ArrayList<>();
            for (Completion completion : batch) {
                JudgeTask task = completion.task();
                for (Assessment a : Assessments.fromCompletion(completion, judges.judgeFor(task.judge()),
                        System.currentTimeMillis())) {
                    RecordHeaders headers = new RecordHeaders();
                    table.writeTo(headers);
                    FeedbackHeaders.writeLate(headers, true);
                    producer.send(new ProducerRecord<>(feedbackTopic, null, task.traceId(),
                            encoder.encode(feedbackTopic, a), headers));
                    published.add(a);
                }
                producer.send(progress.finishedRecord(table.experimentId(), task));
            }
            producer.commitTransaction();
            judged += batch.size();
            batch.clear();
            for (Assessment a : published) {
                assessments++;
                if (a.feedback().isError()) {
                    errors++;
                }
                inputTokens += number(a.metadata().get(Verdict.INPUT_TOKENS_KEY));
                outputTokens += number(a.metadata().get(Verdict.OUTPUT_TOKENS_KEY));
                String pairCost = a.metadata().get(Verdict.COST_KEY);
                if (pairCost != null) {
                    cost = cost == null ? new BigDecimal(pairCost) : cost.add(new BigDecimal(pairCost));
                }
            }
        }

        private void progress(boolean last) {
            long now = System.nanoTime();
            if (!last && now - lastProgressNanos < PROGRESS_INTERVAL.toNanos()) {
                return;
            }
            lastProgressNanos = now;
            double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
            double rate = judged / seconds;
            long left = total - judged;
            String eta = rate > 0 ? Duration.ofSeconds((long) Math.ceil(left / rate)).toString().substring(2) : "?";
            progressOut.printf("\r  scanned %d traces, judged %d/%d pairs, %.1f pairs/s, ETA %s   ", scanned, judged,
                    total, rate, last ? "0S" : eta);
            if (last) {
                progressOut.println();
            }
            progressOut.flush();
        }
    }

    private static long number(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Configuration hadoopConf() {
        Configuration conf = new Configuration();
        config.hadoopProperties().forEach(conf::set);
        return conf;
    }

    /** An interrupt seen inside a table scan's callback, which cannot throw {@link InterruptedException}. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }
}
