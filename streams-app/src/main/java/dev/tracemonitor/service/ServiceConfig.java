package dev.tracemonitor.service;

import dev.tracemonitor.sink.DeltaSinkConfig;
import dev.tracemonitor.topology.Topics;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The service's own settings, in Kafka's {@link ConfigDef} style: each key with its type, default and documentation.
 * Every key not defined here is passed through unchanged to the Kafka clients (Streams, the sink's consumer, the
 * admin client), so security, rack and tuning settings work as they do in any Kafka application.
 */
public final class ServiceConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    /** Keys with this prefix go, without it, to the Hadoop configuration of the table storage. */
    public static final String HADOOP_PREFIX = "trace-monitor.hadoop.";
    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String WAREHOUSE_CONFIG = "trace-monitor.warehouse";
    public static final String FLUSH_INTERVAL_CONFIG = "trace-monitor.flush.interval";
    public static final String SINK_ENABLED_CONFIG = "trace-monitor.sink.enabled";
    public static final String STREAMS_ENABLED_CONFIG = "trace-monitor.streams.enabled";
    public static final String SINK_GROUP_ID_CONFIG = "trace-monitor.sink.group.id";
    public static final String SINK_MAX_ROWS_PER_FILE_CONFIG = "trace-monitor.sink.max.rows.per.file";
    public static final String SINK_MAX_BUFFERED_BYTES_CONFIG = "trace-monitor.sink.max.buffered.bytes";
    public static final String JUDGE_BACKEND_CONFIG = "trace-monitor.judge.backend";
    public static final String JUDGE_MAX_IN_FLIGHT_CONFIG = "trace-monitor.judge.max.in.flight";
    public static final String JUDGE_MAX_ATTEMPTS_CONFIG = "trace-monitor.judge.max.attempts";
    public static final String LLM_BASE_URL_CONFIG = "trace-monitor.llm.base.url";
    public static final String LLM_MODEL_CONFIG = "trace-monitor.llm.model";
    public static final String LLM_API_KEY_ENV_CONFIG = "trace-monitor.llm.api.key.env";
    public static final String LLM_API_KEY_FILE_CONFIG = "trace-monitor.llm.api.key.file";
    public static final String LLM_TIMEOUT_CONFIG = "trace-monitor.llm.timeout";
    public static final String JUDGE_RATE_LIMIT_CONFIG = "trace-monitor.judge.rate.limit";
    public static final String SCORING_DEADLINE_CONFIG = "trace-monitor.scoring.deadline";
    public static final String FORMAT_TRACES_CONFIG = "trace-monitor.format.traces";
    public static final String FORMAT_FEEDBACK_CONFIG = "trace-monitor.format.feedback";
    public static final String TOPIC_TRACES_CONFIG = "trace-monitor.topic.traces";
    public static final String TOPIC_MONITOR_CONFIG_CONFIG = "trace-monitor.topic.monitor-config";
    public static final String TOPIC_MONITOR_STATUS_CONFIG = "trace-monitor.topic.monitor-status";
    public static final String TOPIC_FEEDBACK_CONFIG = "trace-monitor.topic.feedback";
    public static final String TOPIC_ASSESSED_CONFIG = "trace-monitor.topic.assessed";
    public static final String TOPIC_DLQ_CONFIG = "trace-monitor.topic.dlq";
    public static final String TOPIC_PARTITIONS_CONFIG = "trace-monitor.topic.partitions";
    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "trace-monitor.topic.replication.factor";
    public static final String TOPIC_CREATE_CONFIG = "trace-monitor.topic.create";
    public static final String HTTP_PORT_CONFIG = "trace-monitor.http.port";
    public static final String HTTP_ADDRESS_CONFIG = "trace-monitor.http.address";
    public static final String SHUTDOWN_TIMEOUT_CONFIG = "trace-monitor.shutdown.timeout";
    /** The prefix of the service's own keys; an undefined key with it is a typo and fails the start. */
    public static final String SERVICE_PREFIX = "trace-monitor.";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Kafka bootstrap servers.")
            .define(APPLICATION_ID_CONFIG, Type.STRING, "trace-monitor", Importance.HIGH,
                    "Kafka Streams application id: the consumer group and the prefix of internal topics.")
            .define(STATE_DIR_CONFIG, Type.STRING, defaultStateDir(), Importance.MEDIUM,
                    "Directory of Kafka Streams' local state (pending judge tasks, traces awaiting feedback).")
            .define(WAREHOUSE_CONFIG, Type.STRING, "warehouse", Importance.HIGH,
                    "Root of the Delta tables: a local path or a Hadoop URI (file:, s3a:, abfs:). Each monitor writes"
                            + " <warehouse>/<catalog_name>/<schema_name>/trace_logs_<experiment_id>.")
            .define(FLUSH_INTERVAL_CONFIG, Type.STRING, "PT15M", durationValidator(), Importance.HIGH,
                    "How often the sink commits a Delta version per table, as an ISO-8601 duration aligned to the"
                            + " clock (PT15M commits at :00, :15, :30, :45).")
            .define(STREAMS_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Run the Kafka Streams topology in this process.")
            .define(SINK_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Run the Delta sink in this process.")
            .define(SINK_GROUP_ID_CONFIG, Type.STRING, "trace-monitor-delta-sink", Importance.MEDIUM,
                    "Consumer group of the Delta sink; also the prefix of its Delta transaction ids.")
            .define(SINK_MAX_ROWS_PER_FILE_CONFIG, Type.LONG, 50_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "The sink rolls to a new Parquet file after this many rows, bounding memory.")
            .define(SINK_MAX_BUFFERED_BYTES_CONFIG, Type.LONG, DeltaSinkConfig.DEFAULT_MAX_BUFFERED_BYTES,
                    ConfigDef.Range.atLeast(1024 * 1024), Importance.LOW,
                    "Record bytes each sink holds in memory before writing its largest buffer to a Parquet file;"
                            + " about 1.3 times as much heap.")
            .define(JUDGE_BACKEND_CONFIG, Type.STRING, "local", ConfigDef.ValidString.in("local", "llm"), Importance.HIGH,
                    "Judge backend: local (offline embeddings and rules) or llm (an OpenAI-compatible endpoint).")
            .define(LLM_BASE_URL_CONFIG, Type.STRING, "", Importance.HIGH,
                    "Base URL of the OpenAI-compatible API (…/v1); /chat/completions is appended. Required for llm.")
            .define(LLM_MODEL_CONFIG, Type.STRING, "", Importance.HIGH,
                    "Default judge model name sent to the endpoint; a monitor's judge may name another. Required for llm.")
            .define(LLM_API_KEY_ENV_CONFIG, Type.STRING, "OPENAI_API_KEY", Importance.MEDIUM,
                    "Environment variable holding the API key (never logged); it must be set. Empty: no key (e.g. vLLM, Ollama).")
            .define(LLM_API_KEY_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "File holding the API key, e.g. a mounted secret; overrides the environment variable.")
            .define(LLM_TIMEOUT_CONFIG, Type.STRING, "PT30S", durationValidator(), Importance.MEDIUM,
                    "Deadline of one judge call; a timeout is retried.")
            .define(JUDGE_MAX_IN_FLIGHT_CONFIG, Type.INT, 16, ConfigDef.Range.between(1, 1024), Importance.MEDIUM,
                    "Maximum judge calls running at once in this instance.")
            .define(JUDGE_MAX_ATTEMPTS_CONFIG, Type.INT, 4, ConfigDef.Range.between(1, 20), Importance.LOW,
                    "Attempts per judge call before an error Assessment is written.")
            .define(JUDGE_RATE_LIMIT_CONFIG, Type.DOUBLE, 0.0, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Most judge calls per second from this instance to the judge endpoint (0: unlimited).")
            .define(SCORING_DEADLINE_CONFIG, Type.STRING, "PT10M", durationValidator(), Importance.MEDIUM,
                    "How long a sampled trace waits for its judges before it is written with the feedback so far.")
            .define(FORMAT_TRACES_CONFIG, Type.STRING, "json", ConfigDef.ValidString.in("json", "avro"), Importance.MEDIUM,
                    "Wire format of the traces topic: json (MLflow's Trace.to_json()) or avro (Confluent framing with"
                            + " a schema registry at schema.registry.url).")
            .define(FORMAT_FEEDBACK_CONFIG, Type.STRING, "json", ConfigDef.ValidString.in("json", "avro"), Importance.MEDIUM,
                    "Wire format of the feedback topic: json or avro (schema registered under <topic>-value).")
            .define(TOPIC_TRACES_CONFIG, Type.STRING, "traces", Importance.MEDIUM, "Input topic of traces.")
            .define(TOPIC_MONITOR_CONFIG_CONFIG, Type.STRING, "monitor-config", Importance.MEDIUM,
                    "Compacted topic of monitor configs, keyed by experiment_id.")
            .define(TOPIC_MONITOR_STATUS_CONFIG, Type.STRING, "monitor-status", Importance.MEDIUM,
                    "Compacted topic of status events answering each config publish.")
            .define(TOPIC_FEEDBACK_CONFIG, Type.STRING, "trace-feedback", Importance.MEDIUM,
                    "Output topic: one Assessment per judge result.")
            .define(TOPIC_ASSESSED_CONFIG, Type.STRING, "traces-assessed", Importance.MEDIUM,
                    "Output topic: each trace with its assessments; what the Delta sink reads.")
            .define(TOPIC_DLQ_CONFIG, Type.STRING, "traces-dlq", Importance.MEDIUM,
                    "Dead-letter topic for records that cannot be traces.")
            .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Partitions of topics the service creates.")
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) -1, Importance.LOW,
                    "Replication factor of topics the service creates (-1: the broker default).")
            .define(TOPIC_CREATE_CONFIG, Type.BOOLEAN, true, Importance.LOW,
                    "Create missing topics at start, with cleanup.policy=compact for the config and status topics.")
            .define(HTTP_PORT_CONFIG, Type.INT, 8080, ConfigDef.Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of the HTTP endpoint serving /metrics (Prometheus), /health/live and /health/ready"
                            + " (0: an ephemeral port, -1: no HTTP endpoint).")
            .define(HTTP_ADDRESS_CONFIG, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Address the HTTP endpoint binds to.")
            .define(SHUTDOWN_TIMEOUT_CONFIG, Type.STRING, "PT30S", durationValidator(), Importance.MEDIUM,
                    "On SIGTERM, the longest wait for Kafka Streams to commit and close and for the sink's last"
                            + " flush; whatever is not done by then is read again from Kafka on the next start.");

    public ServiceConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
    }

    public static ServiceConfig of(Properties props) {
        return new ServiceConfig(props);
    }

    /**
     * Checks what the constructor cannot: every {@code trace-monitor.} key is one this class defines, and the Kafka
     * settings passed through are valid for the clients that get them (Streams, the sink's consumer, the admin
     * client). Throws a {@link ConfigException} naming the key.
     */
    public ServiceConfig validate() {
        originals().forEach((k, v) -> {
            if (k.startsWith(SERVICE_PREFIX) && !k.startsWith(HADOOP_PREFIX) && !CONFIG.names().contains(k)) {
                throw new ConfigException(k, v, "not a trace-monitor setting (see the configuration table in the README)");
            }
        });
        Map<String, Object> kafka = kafkaProperties();
        new AdminClientConfig(kafka);
        Map<String, Object> consumer = new HashMap<>(kafka);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        new ConsumerConfig(consumer);
        if (getBoolean(STREAMS_ENABLED_CONFIG)) {
            Map<String, Object> streams = new HashMap<>(kafka);
            streams.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
            streams.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
            new StreamsConfig(streams);
        }
        return this;
    }

    /** This configuration with more Kafka client settings (for settings the service adds itself). */
    ServiceConfig withKafkaSettings(Map<String, ?> extra) {
        Map<String, Object> props = new HashMap<>(originals());
        props.putAll(extra);
        return new ServiceConfig(props);
    }

    public Duration duration(String key) {
        return Duration.parse(getString(key));
    }

    public Topics topics() {
        return new Topics(getString(TOPIC_TRACES_CONFIG), getString(TOPIC_MONITOR_CONFIG_CONFIG), getString(TOPIC_MONITOR_STATUS_CONFIG),
                getString(TOPIC_FEEDBACK_CONFIG), getString(TOPIC_ASSESSED_CONFIG), getString(TOPIC_DLQ_CONFIG));
    }

    /** Hadoop settings for the table storage (e.g. {@code fs.s3a.*}), given as {@code trace-monitor.hadoop.<key>}. */
    public Map<String, String> hadoopProperties() {
        Map<String, String> hadoop = new HashMap<>();
        originals().forEach((k, v) -> {
            if (k.startsWith(HADOOP_PREFIX)) {
                hadoop.put(k.substring(HADOOP_PREFIX.length()), String.valueOf(v));
            }
        });
        return hadoop;
    }

    /** The Kafka client settings: bootstrap.servers and every key this class does not define. */
    public Map<String, Object> kafkaProperties() {
        Map<String, Object> kafka = new HashMap<>();
        originals().forEach((k, v) -> {
            if ((!CONFIG.names().contains(k) && !k.startsWith(HADOOP_PREFIX)) || k.equals(BOOTSTRAP_SERVERS_CONFIG)) {
                kafka.put(k, v);
            }
        });
        kafka.put(BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS_CONFIG));
        return kafka;
    }

    private static String defaultStateDir() {
        return System.getProperty("java.io.tmpdir") + "/trace-monitor-state";
    }

    private static ConfigDef.Validator durationValidator() {
        return (name, value) -> {
            try {
                Duration d = Duration.parse(String.valueOf(value));
                if (d.isNegative() || d.isZero()) {
                    throw new ConfigException(name, value, "must be a positive ISO-8601 duration such as PT15M");
                }
            } catch (DateTimeParseException e) {
                throw new ConfigException(name, value, "must be an ISO-8601 duration such as PT15M or PT5S");
            }
        };
    }
}
