package dev.tracemonitor.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.controlplane.MonitorStatus;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.scoring.Assessments;
import dev.tracemonitor.scoring.Completion;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.JudgeTask;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.TraceDecoder;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.scorers.ScorerPluginException;
import dev.tracemonitor.scorers.ScorerRegistry;
import dev.tracemonitor.service.JudgeBackends;
import dev.tracemonitor.service.JudgingConfig;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.topology.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trace-monitor evaluate}: the seed's step 1. Runs a monitor's judges (all of them, builtin, guidelines,
 * template judges and code scorers, on every trace: no sampling) on traces from a JSONL file or the traces topic, and prints per judge how many results were yes / no /
 * errors / not applicable, then each trace's verdicts with their rationales.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Run a monitor's judges on sample traces and print the verdicts.")
final class EvaluateCommand implements Callable<Integer> {

    /** Fewer than the service's default: evaluate shares the endpoint and the machine with a developer's other work. */
    private static final int DEFAULT_MAX_IN_FLIGHT = 8;

    @Spec
    CommandSpec spec;

    /** Where the traces come from. */
    static final class Input {
        @Option(names = "--traces", description = "JSONL file of MLflow traces, one per line ('-' for stdin).")
        String file;

        @Option(names = "--from-topic", description = "Read the most recent traces from the traces topic instead.")
        boolean fromTopic;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--max", defaultValue = "50", description = "At most this many traces (default: ${DEFAULT-VALUE}).")
    int max;

    @Option(names = "--topic", defaultValue = Topics.DEFAULT_TRACES,
            description = "Topic for --from-topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @ArgGroup(exclusive = false, heading = "Connection (for --from-topic or --experiment-id)%n")
    MonitorCommand.Connection connection = new MonitorCommand.Connection();

    @Option(names = "--monitor", paramLabel = "EXPERIMENT_ID", description = "Use the config in force for this"
            + " experiment (needs Kafka), and with --from-topic only its traces.")
    String experimentId;

    @ArgGroup(exclusive = false, heading = "Judges (instead of --monitor)%n")
    MonitorConfigSource judges = new MonitorConfigSource();

    @Option(names = "--judge-backend", description = "local or llm (trace-monitor.judge.backend).")
    String backend;

    @Option(names = {"-D", "--set"}, description = "A service setting as key=value, e.g. -D trace-monitor.llm.model=gpt-4o-mini;"
            + " repeatable. The trace-monitor.llm.* and trace-monitor.judge.* keys configure the judges, and"
            + " trace-monitor.format.traces (with schema.registry.url for avro) how --from-topic decodes.")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--max-in-flight", description = "Judge calls at once (trace-monitor.judge.max.in.flight;"
            + " default: " + DEFAULT_MAX_IN_FLIGHT + ").")
    Integer maxInFlight;

    @Option(names = "--output", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    String output;

    /** One judge's tally. */
    static final class Tally {
        long traces;
        long yes;
        long no;
        long errors;
        long notApplicable;
        long other;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("table") && !output.equals("json")) {
            err.println("trace-monitor: --output must be table or json");
            return 2;
        }
        JudgingConfig judging;
        TraceDecoder topicDecoder;
        try {
            judging = judgingConfig();
            JudgeBackends.check(judging);
            topicDecoder = input.fromTopic ? judging.traceDecoder() : null;
        } catch (ConfigException e) {
            err.println("trace-monitor: invalid configuration: " + e.getMessage());
            return 2;
        }
        MonitorConfig monitor;
        List<Trace> traces;
        try {
            monitor = monitor();
            traces = input.fromTopic ? fromTopic(err, topicDecoder) : fromFile(err);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("trace-monitor: " + e.getMessage());
            return 2;
        }
        List<JudgeSpec> specs = JudgeSpec.of(monitor);
        if (specs.isEmpty()) {
            err.println("trace-monitor: the monitor has no judges");
            return 2;
        }
        Map<String, Tally> tallies = new LinkedHashMap<>();
        specs.forEach(s -> tallies.put(s.name(), new Tally()));
        Map<String, List<Assessment>> byTrace = new LinkedHashMap<>();
        Map<String, List<String>> notApplicable = new HashMap<>();
        traces.forEach(t -> byTrace.put(t.traceId(), new ArrayList<>()));

        BlockingQueue<Completion> done = new LinkedBlockingQueue<>();
        ScorerRegistry scorers;
        try {
            scorers = ScorerRegistry.load(judging.scorerSettings());
        } catch (ScorerPluginException e) {
            err.println("trace-monitor: " + e.getMessage());
            return 2;
        }
        try (scorers; JudgeBackend judgeBackend = JudgeBackends.create(judging);
             ScoringEngine engine = new ScoringEngine(judging.engineSettings(), TraceMonitorMetrics.inMemory())) {
            JudgeFactory factory = new JudgeFactory(judgeBackend, scorers);
            for (Trace trace : traces) {
                for (JudgeSpec judge : specs) {
                    engine.submit(new JudgeTask(trace.traceId(), judge, -1), factory.judgeFor(judge), trace, done::add);
                }
            }
            int total = traces.size() * specs.size();
            for (int finished = 0; finished < total; finished++) {
                Completion completion = done.poll(10, TimeUnit.MINUTES);
                if (completion == null) {
                    err.println("trace-monitor: judges stopped answering");
                    return 3;
                }
                JudgeSpec judge = completion.task().judge();
                List<Assessment> results = Assessments.fromCompletion(completion, factory.judgeFor(judge),
                        System.currentTimeMillis());
                Tally tally = tallies.get(judge.name());
                tally.traces++;
                if (results.isEmpty()) {
                    tally.notApplicable++;
                    notApplicable.computeIfAbsent(completion.task().traceId(), k -> new ArrayList<>())
                            .add(judge.name() + ": " + (completion.outcome() == null ? "" : completion.outcome().notApplicableReason()));
                }
                for (Assessment a : results) {
                    switch (Assessments.outcome(a.feedback())) {
                        case Assessments.YES -> tally.yes++;
                        case Assessments.NO -> tally.no++;
                        case Assessments.ERROR -> tally.errors++;
                        default -> tally.other++;
                    }
                }
                byTrace.get(completion.task().traceId()).addAll(results);
                if (output.equals("table") && ((finished + 1) % 10 == 0 || finished + 1 == total)) {
                    err.printf("\r  evaluated %d/%d (trace, judge) pairs", finished + 1, total);
                    err.flush();
                }
            }
            err.println();
        }
        if (output.equals("json")) {
            out.println(json(tallies, byTrace, notApplicable).toPrettyString());
        } else {
            printTable(out, traces.size(), tallies, byTrace, notApplicable);
        }
        return 0;
    }

    /** The service's judging settings from -D, with --judge-backend and --max-in-flight over them. */
    private JudgingConfig judgingConfig() {
        Map<String, String> props = new HashMap<>(settings);
        if (backend != null) {
            props.put(ServiceConfig.JUDGE_BACKEND_CONFIG, backend);
        }
        if (maxInFlight != null) {
            props.put(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, maxInFlight.toString());
        }
        props.putIfAbsent(ServiceConfig.JUDGE_MAX_IN_FLIGHT_CONFIG, Integer.toString(DEFAULT_MAX_IN_FLIGHT));
        return new JudgingConfig(props);
    }

    private MonitorConfig monitor() throws Exception {
        if (experimentId != null) {
            try (MonitorCommand.ControlPlane plane = new MonitorCommand.ControlPlane(connection)) {
                MonitorStatus status = plane.inForce(experimentId);
                if (status == null) {
                    throw new IllegalArgumentException("no monitor for experiment " + experimentId);
                }
                return status.configInForce();
            }
        }
        if (judges.file == null && judges.judges.isEmpty() && judges.guidelines.isEmpty()) {
            throw new IllegalArgumentException("give --monitor, --file (a monitor config) or --judge/--guideline");
        }
        if (judges.file == null) {
            judges.experimentId = judges.experimentId == null ? "evaluate" : judges.experimentId;
            judges.catalog = judges.catalog == null ? "evaluate" : judges.catalog;
            judges.schema = judges.schema == null ? "evaluate" : judges.schema;
        }
        return judges.read();
    }

    private List<Trace> fromFile(PrintWriter err) throws Exception {
        List<Trace> traces = new ArrayList<>();
        BufferedReader reader = input.file.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(input.file));
        try (reader) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null && traces.size() < max) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    traces.add(TraceJsonCodec.decode(line.getBytes(StandardCharsets.UTF_8)));
                } catch (InvalidTraceException e) {
                    err.println("  line " + number + " skipped: " + e.getMessage());
                }
            }
        }
        if (traces.isEmpty()) {
            throw new IllegalArgumentException("no traces in " + input.file);
        }
        return traces;
    }

    private List<Trace> fromTopic(PrintWriter err, TraceDecoder decoder) throws Exception {
        Map<String, Object> props = new HashMap<>(connection.clientProperties());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Trace> traces = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, connection.timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            for (TopicPartition p : partitions) {
                consumer.seek(p, Math.max(begin.get(p), end.get(p) - max));
            }
            long deadline = System.nanoTime() + connection.timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        Trace trace = decoder.decode(record.topic(), record.value());
                        if (experimentId == null || experimentId.equals(trace.info().experimentId())) {
                            traces.add(trace);
                        }
                    } catch (InvalidTraceException e) {
                        err.println("  " + record.topic() + "-" + record.partition() + "@" + record.offset()
                                + " skipped: " + e.getMessage());
                    }
                }
            }
        }
        traces.sort((a, b) -> Long.compare(b.info().requestTimeMillis(), a.info().requestTimeMillis()));
        List<Trace> latest = traces.subList(0, Math.min(max, traces.size()));
        if (latest.isEmpty()) {
            throw new IllegalArgumentException("no traces found on " + topic);
        }
        return latest;
    }

    private static void printTable(PrintWriter out, int traces, Map<String, Tally> tallies,
                                   Map<String, List<Assessment>> byTrace, Map<String, List<String>> notApplicable) {
        out.printf("%d traces%n%n", traces);
        out.printf("%-22s %6s %6s %6s %7s %15s%n", "judge", "ran", "yes", "no", "errors", "not applicable");
        tallies.forEach((judge, t) -> out.printf("%-22s %6d %6d %6d %7d %15d%n", judge, t.traces - t.notApplicable,
                t.yes, t.no, t.errors, t.notApplicable));
        out.println();
        byTrace.forEach((traceId, assessments) -> {
            out.println(traceId);
            for (Assessment a : assessments) {
                String value = a.feedback().isError() ? "ERROR " + a.feedback().error().errorCode() + ": "
                        + a.feedback().error().errorMessage() : String.valueOf(a.feedback().value());
                out.printf("  %-26s %-8s %s%n", a.assessmentName() + (a.spanId() == null ? "" : "[" + a.spanId() + "]"),
                        value, a.rationale() == null ? "" : abbreviate(a.rationale()));
            }
            for (String reason : notApplicable.getOrDefault(traceId, List.of())) {
                out.printf("  %-26s%n", "not applicable — " + reason);
            }
        });
    }

    private static ObjectNode json(Map<String, Tally> tallies, Map<String, List<Assessment>> byTrace,
                                   Map<String, List<String>> notApplicable) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode judges = root.putObject("judges");
        tallies.forEach((judge, t) -> judges.putObject(judge).put("ran", t.traces - t.notApplicable).put("yes", t.yes)
                .put("no", t.no).put("errors", t.errors).put("not_applicable", t.notApplicable).put("other", t.other));
        ArrayNode traces = root.putArray("traces");
        byTrace.forEach((traceId, assessments) -> {
            ObjectNode trace = traces.addObject().put("trace_id", traceId);
            ArrayNode list = trace.putArray("assessments");
            assessments.forEach(a -> list.add(TraceJsonCodec.assessmentToJson(a)));
            ArrayNode na = trace.putArray("not_applicable");
            notApplicable.getOrDefault(traceId, List.of()).forEach(na::add);
        });
        return root;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() > 140 ? oneLine.substring(0, 140) + "…" : oneLine;
    }
}
