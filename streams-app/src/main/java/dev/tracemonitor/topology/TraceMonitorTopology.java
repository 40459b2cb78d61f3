package dev.tracemonitor.topology;

import dev.tracemonitor.budget.JudgeBudgets;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.AssessmentEncoder;
import dev.tracemonitor.serde.JsonAssessmentEncoder;
import dev.tracemonitor.serde.JsonTraceDecoder;
import dev.tracemonitor.serde.TraceDecoder;
import dev.tracemonitor.otlp.OtlpEncoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams topology: decode traces (bad ones to the DLQ) and, from the OTLP input, assemble spans into
 * traces; join each with its monitor, sample, score
 * asynchronously, publish feedback, and publish each trace with its assessments to {@code traces-assessed}. A second
 * sub-topology validates monitor configs and answers on {@code monitor-status}, which feeds the global store of
 * monitors in force.
 */
public final class TraceMonitorTopology {

    static final String TRACES_SOURCE = "traces-source";
    static final String DECODE = "decode";
    static final String ROUTE = "route";
    static final String SCORE = "score";
    static final String DLQ_SINK = "dlq-sink";
    static final String FEEDBACK_SINK = "feedback-sink";
    static final String ASSESSED_SINK = "assessed-sink";
    static final String CONFIG_SOURCE = "monitor-config-source";
    static final String VALIDATE = "validate-config";
    static final String STATUS_SINK = "monitor-status-sink";
    static final String STATUS_SOURCE = "monitor-status-source";
    static final String MONITORS_UPDATER = "monitors-updater";
    static final String OTLP_SOURCE = "otlp-source";
    static final String OTLP_SPLIT = "otlp-split";
    static final String OTLP_SPANS_SINK = "otlp-spans-sink";
    static final String OTLP_SPANS_SOURCE = "otlp-spans-source";
    static final String OTLP_ASSEMBLE = "otlp-assemble";

    public static final String MONITORS_STORE = "monitors";
    public static final String CONFIG_IN_FORCE_STORE = "monitor-config-in-force";
    public static final String AWAITING_STORE = "scoring-awaiting";
    public static final String RESULTS_STORE = "scoring-results";
    public static final String LATE_STORE = "scoring-late";
    /** The order of pending judge tasks: one small entry per trace with tasks awaiting a result, by deadline. */
    public static final String QUEUE_STORE = "scoring-queue";
    /** One small entry per OTLP trace being held (or emitted a short while ago): what the emit rule reads. */
    public static final String OTLP_HELD_STORE = "otlp-held";
    /** The held OTLP spans, each part as it arrived, under {@code <trace id>/<part number>}. */
    public static final String OTLP_PARTS_STORE = "otlp-held-parts";

    /**
     * The scoring deadline, how often completed judge calls are forwarded, the largest trace record processed
     * (larger ones are dead-lettered as a small error record), and how long decoding waits out a schema-registry
     * outage before the stream thread gives up and is replaced (the record is then read again, never dead-lettered).
     */
    public record Settings(Duration scoringDeadline, Duration drainInterval, int maxTraceBytes,
                           Duration registryOutageWait) {
        public static final Duration DEFAULT_SCORING_DEADLINE = Duration.ofMinutes(10);
        /** Below the main consumer's default {@code max.poll.interval.ms} (5 minutes). */
        public static final Duration DEFAULT_REGISTRY_OUTAGE_WAIT = Duration.ofMinutes(2);
        public static final Duration DEFAULT_DRAIN_INTERVAL = Duration.ofMillis(100);
        /**
         * What a trace's copies need besides the trace: its assessments on traces-assessed, the scoring store's
         * record framing, the dead-letter headers.
         */
        public static final int HEADROOM_BYTES = 64 * 1024;
        /** The producer's default {@code max.request.size} (1 MiB) less the headroom. */
        public static final int DEFAULT_MAX_TRACE_BYTES = 1024 * 1024 - HEADROOM_BYTES;

        public static Settings defaults() {
            return new Settings(DEFAULT_SCORING_DEADLINE, DEFAULT_DRAIN_INTERVAL, DEFAULT_MAX_TRACE_BYTES,
                    DEFAULT_REGISTRY_OUTAGE_WAIT);
        }
    }

    private TraceMonitorTopology() {
    }

    public static Topology build(Topics topics, Settings settings, ScoringEngine engine, JudgeFactory judges,
                                 TraceMonitorMetrics metrics) {
        return build(topics, settings, engine, judges, metrics, new JsonTraceDecoder(), new JsonAssessmentEncoder());
    }

    /** The topology with the wire formats of {@code traces} (decoder) and {@code trace-feedback} (encoder). */
    public static Topology build(Topics topics, Settings settings, ScoringEngine engine, JudgeFactory judges,
                                 TraceMonitorMetrics metrics, TraceDecoder decoder, AssessmentEncoder feedbackEncoder) {
        return build(topics, settings, engine, judges, metrics, decoder, feedbackEncoder,
                OtlpSettings.defaults(OtlpEncoding.OTLP_PROTO));
    }

    /**
     * The topology with the OTLP input too when {@link Topics#otlpEnabled()}: its messages are cut by trace, re-keyed
     * by trace id through {@link Topics#otlpSpans()}, held until each trace is whole and joined, as MLflow traces, to
     * the decoded traces where they are routed.
     */
    public static Topology build(Topics topics, Settings settings, ScoringEngine engine, JudgeFactory judges,
                                 TraceMonitorMetrics metrics, TraceDecoder decoder, AssessmentEncoder feedbackEncoder,
                                 OtlpSettings otlp) {
        return build(topics, settings, engine, judges, JudgeBudgets.unlimited(), metrics, decoder, feedbackEncoder,
                otlp);
    }

    /** The topology whose judges count against their monitors' budgets in {@code budgets}. */
    public static Topology build(Topics topics, Settings settings, ScoringEngine engine, JudgeFactory judges,
                                 JudgeBudgets budgets, TraceMonitorMetrics metrics, TraceDecoder decoder,
                                 AssessmentEncoder feedbackEncoder, OtlpSettings otlp) {
        Topology topology = new Topology();

        topology.addSource(CONFIG_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.monitorConfig());
        topology.addProcessor(VALIDATE, ConfigValidationProcessor::new, CONFIG_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CONFIG_IN_FORCE_STORE),
                Serdes.String(), Serdes.ByteArray()), VALIDATE);
        topology.addSink(STATUS_SINK, topics.monitorStatus(), new StringSerializer(), new ByteArraySerializer(), VALIDATE);

        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(MONITORS_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                STATUS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.monitorStatus(),
                MONITORS_UPDATER, MonitorsUpdater::new);

        topology.addSource(TRACES_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.traces());
        topology.addProcessor(DECODE, () -> new DecodeProcessor(decoder, metrics, settings.maxTraceBytes(),
                settings.registryOutageWait()), TRACES_SOURCE);
        List<String> routed = new ArrayList<>(List.of(DECODE));
        List<String> deadLettering = new ArrayList<>(List.of(DECODE));
        if (topics.otlpEnabled()) {
            topology.addSource(OTLP_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.otlp());
            topology.addProcessor(OTLP_SPLIT, () -> new OtlpSplitProcessor(otlp.encoding(), metrics), OTLP_SOURCE);
            topology.addSink(OTLP_SPANS_SINK, topics.otlpSpans(), new StringSerializer(), new ByteArraySerializer(),
                    OTLP_SPLIT);
            topology.addSource(OTLP_SPANS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(),
                    topics.otlpSpans());
            topology.addProcessor(OTLP_ASSEMBLE, () -> new SpanAssemblyProcessor(otlp, metrics,
                    settings.maxTraceBytes(), topics.otlpSpans()), OTLP_SPANS_SOURCE);
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OTLP_HELD_STORE),
                    Serdes.String(), Serdes.ByteArray()), OTLP_ASSEMBLE);
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OTLP_PARTS_STORE),
                    Serdes.String(), Serdes.ByteArray()), OTLP_ASSEMBLE);
            routed.add(OTLP_ASSEMBLE);
            deadLettering.addAll(List.of(OTLP_SPLIT, OTLP_ASSEMBLE));
        }
        topology.addProcessor(ROUTE, () -> new RouteProcessor(metrics), routed.toArray(String[]::new));
        topology.addProcessor(SCORE, () -> new ScoringProcessor(engine, judges, budgets, metrics,
                settings.scoringDeadline(),
                settings.drainInterval(), feedbackEncoder, topics.feedback()), ROUTE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AWAITING_STORE),
                Serdes.String(), Serdes.ByteArray()), SCORE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LATE_STORE),
                Serdes.String(), Serdes.ByteArray()), SCORE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RESULTS_STORE),
                Serdes.String(), Serdes.ByteArray()), SCORE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QUEUE_STORE),
                Serdes.String(), Serdes.ByteArray()), SCORE);
        topology.addSink(DLQ_SINK, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(),
                deadLettering.toArray(String[]::new));
        topology.addSink(FEEDBACK_SINK, topics.feedback(), new StringSerializer(), new ByteArraySerializer(), SCORE);
        topology.addSink(ASSESSED_SINK, topics.assessed(), new StringSerializer(), new ByteArraySerializer(), SCORE);
        return topology;
    }
}
