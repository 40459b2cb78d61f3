package dev.tracemonitor.service;

import dev.tracemonitor.alerts.AlertDispatcher;
import dev.tracemonitor.alerts.WebhookSender;
import dev.tracemonitor.budget.BudgetLedger;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.metrics.KafkaMetricsBinding;
import dev.tracemonitor.metrics.SinkMetrics;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.scorers.ScorerRegistry;
import dev.tracemonitor.scoring.JudgeFactory;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.TraceFormats;
import dev.tracemonitor.sink.DeltaSinkConfig;
import dev.tracemonitor.topology.Topics;
import dev.tracemonitor.topology.TooLargeRecordHandler;
import dev.tracemonitor.topology.TraceMonitorTopology;
import dev.tracemonitor.web.MonitorTables;
import dev.tracemonitor.web.MonitoringPage;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service process: the Kafka Streams topology and the Delta sink (with the alerts, evaluated where the sink
 * runs), each optional so they can be scaled apart.
 * Started by {@code trace-monitor run} (through {@link ServiceProcess}) and by the quickstart. Binds Kafka's client
 * metrics and the sink's statistics to the metrics registry, reports its {@link ServiceHealth}, and shuts down in a
 * bounded time ({@link #shutdown(Duration)}).
 */
public final class TraceMonitorService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TraceMonitorService.class);
    /** The consumer's internal setting Kafka Streams turns off by default (StreamsConfig's consumer default overrides). */
    static final String LEAVE_GROUP_ON_CLOSE = "internal.leave.group.on.close";

    private final ServiceConfig config;
    private final TraceMonitorMetrics metrics;
    private final JudgeBackend backend;
    private ScoringEngine engine;
    private ScorerRegistry scorers;
    private BudgetLedger budgets;
    private KafkaStreams streams;
    private SinkRunner sink;
    private AlertDispatcher alerts;
    private KafkaMetricsBinding kafkaMetrics;
    private volatile SinkMetrics sinkMetrics;
    private volatile boolean started;
    private volatile boolean closing;
    private boolean closed;

    public TraceMonitorService(ServiceConfig config, JudgeBackend backend, TraceMonitorMetrics metrics) {
        this.config = config;
        this.backend = backend;
        this.metrics = metrics;
    }

    public void start() throws Exception {
        config.validate();
        Topics topics = config.topics();
        kafkaMetrics = new KafkaMetricsBinding(metrics.registry());
        TopicCreator.prepare(config.kafkaProperties(), topics, config.getBoolean(ServiceConfig.TOPIC_CREATE_CONFIG),
                config.getInt(ServiceConfig.TOPIC_PARTITIONS_CONFIG),
                config.getShort(ServiceConfig.TOPIC_REPLICATION_FACTOR_CONFIG), traceRecordBytes());
        if (config.getBoolean(ServiceConfig.STREAMS_ENABLED_CONFIG)) {
            scorers = ScorerRegistry.load(config.judging().scorerSettings());
            engine = new ScoringEngine(config.judging().engineSettings(), metrics);
            budgets = new BudgetLedger(config.budgetSettings(), config.kafkaProperties(), Clock.systemUTC());
            budgets.start();
            Topology topology = TraceMonitorTopology.build(topics, config.topologySettings(), engine,
                    new JudgeFactory(backend, scorers), budgets, metrics, config.judging().traceDecoder(),
                    TraceFormats.encoder(config.getString(ServiceConfig.FORMAT_FEEDBACK_CONFIG), config.originals()),
                    config.otlpSettings());
            streams = new KafkaStreams(topology, streamsProperties());
            kafkaMetrics.bindStreams(streams);
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("stream thread failed; replacing it", e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                        .REPLACE_THREAD;
            });
            streams.start();
        }
        if (config.getBoolean(ServiceConfig.SINK_ENABLED_CONFIG)) {
            ServiceConfig sinkConfig = config.withKafkaSettings(kafkaMetrics.clientSettings(config.kafkaProperties()));
            sink = SinkRunner.start(sinkConfig);
            sinkMetrics = new SinkMetrics(sink.sinks());
            sinkMetrics.bindTo(metrics.registry());
            DeltaSinkConfig tables = config.assessmentsSinkConfig();
            SinkRunner sinks = sink;
            alerts = new AlertDispatcher(config.alertSettings(), sinkConfig.kafkaProperties(),
                    new MonitorTables(tables.warehouse(), tables.hadoopConfiguration()), new WebhookSender(),
                    sinks::leadsAlerts, metrics, Clock.systemUTC());
            alerts.start();
        }
        started = true;
    }

    /** Live and ready, from the Kafka Streams state and the sink thread; see {@link ServiceHealth}. */
    public ServiceHealth health() {
        return ServiceHealth.of(started, closing, streams == null ? null : streams.state(),
                sink == null ? null : sink.isRunning());
    }

    /** Registers meters that appear as the service runs (a table's rows counter); called before each scrape. */
    public void refreshMetrics() {
        SinkMetrics m = sinkMetrics;
        if (m != null) {
            m.refresh();
        }
    }

    Properties streamsProperties() {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ServiceConfig.APPLICATION_ID_CONFIG));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ServiceConfig.STATE_DIR_CONFIG));
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        // one stream thread (Kafka's default) decodes and re-writes every trace on one core; one per core uses them all
        props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
        props.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, TooLargeRecordHandler.class.getName());
        if (traceRecordBytes() > TopicCreator.KAFKA_DEFAULT_MAX_MESSAGE_BYTES) {
            // the changelog of the scoring store holds whole traces
            props.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                    Integer.toString(traceRecordBytes()));
        }
        if (!props.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
            // Kafka Streams 4.1 keeps a dynamic member in its group after close (its partitions wait out the session
            // timeout, 45 s by default); a clean stop leaves the group so that they move at once. A static member
            // (group.instance.id) keeps its membership across a restart instead.
            props.putIfAbsent(StreamsConfig.mainConsumerPrefix(LEAVE_GROUP_ON_CLOSE), true);
        }
        return props;
    }

    /** The largest record that carries a whole trace: the trace limit plus the headroom for its assessments. */
    private int traceRecordBytes() {
        return config.getInt(ServiceConfig.MAX_TRACE_BYTES_CONFIG) + TraceMonitorTopology.Settings.HEADROOM_BYTES;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public SinkRunner sink() {
        return sink;
    }

    /**
     * The monitoring page over this service's warehouse: a chart point per flush interval, and this instance's
     * dead-letter count.
     */
    public MonitoringPage monitoringPage() {
        DeltaSinkConfig sink = config.traceLogsSinkConfig();
        return new MonitoringPage(new MonitorTables(sink.warehouse(), sink.hadoopConfiguration()), sink.flushInterval(),
                () -> (long) metrics.count("traces.dlq"), Clock.systemUTC());
    }

    public TraceMonitorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        shutdown(config.duration(ServiceConfig.SHUTDOWN_TIMEOUT_CONFIG));
    }

    /**
     * Stops within {@code timeout}: Kafka Streams commits and closes (leaving its group unless it has a static
     * {@code group.instance.id}, so that its partitions move at once; see {@link #streamsProperties()}), the judge engine stops (its pending tasks are
     * in the changelogged store and are issued again on the next start), and the sink commits what it has read and
     * closes. Nothing is lost when the time runs out: what is not committed is read again from Kafka on the next
     * start. Calling it again does nothing.
     *
     * @return true if everything closed within the timeout
     */
    public synchronized boolean shutdown(Duration timeout) {
        if (closed) {
            return true;
        }
        closed = true;
        closing = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean clean = true;
        if (streams != null) {
            clean = streams.close(remaining(deadline));
            if (!clean) {
                LOG.warn("Kafka Streams did not close within {}", timeout);
            }
        }
        if (engine != null) {
            engine.close();
        }
        if (scorers != null) {
            scorers.close();
        }
        if (budgets != null) {
            budgets.close();
        }
        if (alerts != null) {
            alerts.close();
        }
        if (sink != null) {
            clean &= closeWithin(sink, remaining(deadline));
        }
        if (kafkaMetrics != null) {
            kafkaMetrics.close();
        }
        backend.close();
        return clean;
    }

    private static boolean closeWithin(AutoCloseable closeable, Duration timeout) {
        Thread closer = new Thread(() -> {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", closeable, e);
            }
        }, "trace-monitor-sink-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.warn("the Delta sink did not close within {}; its uncommitted rows will be read again from Kafka", timeout);
            return false;
        }
        return true;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
