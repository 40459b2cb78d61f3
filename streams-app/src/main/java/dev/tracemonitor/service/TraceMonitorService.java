package dev.tracemonitor.service;

import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.TraceFormats;
import dev.tracemonitor.topology.Topics;
import dev.tracemonitor.topology.TraceMonitorTopology;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service process: the Kafka Streams topology and the Delta sink, each optional so they can be scaled apart.
 * Started by {@code trace-monitor run} and by the quickstart.
 */
public final class TraceMonitorService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TraceMonitorService.class);

    private final ServiceConfig config;
    private final TraceMonitorMetrics metrics;
    private final JudgeBackend backend;
    private ScoringEngine engine;
    private KafkaStreams streams;
    private SinkRunner sink;

    public TraceMonitorService(ServiceConfig config, JudgeBackend backend, TraceMonitorMetrics metrics) {
        this.config = config;
        this.backend = backend;
        this.metrics = metrics;
    }

    public void start() throws Exception {
        Topics topics = config.topics();
        if (config.getBoolean(ServiceConfig.TOPIC_CREATE)) {
            TopicCreator.createMissing(config.kafkaProperties(), topics, config.getInt(ServiceConfig.TOPIC_PARTITIONS),
                    config.getShort(ServiceConfig.TOPIC_REPLICATION_FACTOR));
        }
        if (config.getBoolean(ServiceConfig.STREAMS_ENABLED)) {
            engine = new ScoringEngine(new ScoringEngine.Settings(config.getInt(ServiceConfig.JUDGE_MAX_IN_FLIGHT),
                    config.getInt(ServiceConfig.JUDGE_MAX_ATTEMPTS), Duration.ofMillis(500), Duration.ofSeconds(30),
                    config.getDouble(ServiceConfig.JUDGE_RATE_LIMIT)),
                    metrics);
            TraceMonitorTopology.Settings settings = new TraceMonitorTopology.Settings(
                    config.duration(ServiceConfig.SCORING_DEADLINE), Duration.ofMillis(100));
            Topology topology = TraceMonitorTopology.build(topics, settings, engine, new JudgeFactory(backend), metrics,
                    TraceFormats.decoder(config.getString(ServiceConfig.FORMAT_TRACES), config.originals()),
                    TraceFormats.encoder(config.getString(ServiceConfig.FORMAT_FEEDBACK), config.originals()));
            streams = new KafkaStreams(topology, streamsProperties());
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("stream thread failed; replacing it", e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                        .REPLACE_THREAD;
            });
            streams.start();
        }
        if (config.getBoolean(ServiceConfig.SINK_ENABLED)) {
            sink = SinkRunner.start(config, metrics);
        }
    }

    Properties streamsProperties() {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ServiceConfig.APPLICATION_ID));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ServiceConfig.STATE_DIR));
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        return props;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public SinkRunner sink() {
        return sink;
    }

    public TraceMonitorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    public void close(Duration timeout) {
        if (streams != null) {
            streams.close(timeout);
        }
        if (engine != null) {
            engine.close();
        }
        if (sink != null) {
            sink.close();
        }
        backend.close();
    }
}
