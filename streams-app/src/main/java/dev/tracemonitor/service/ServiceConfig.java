package dev.tracemonitor.service;

import dev.tracemonitor.alerts.AlertDispatcher;
import dev.tracemonitor.budget.BudgetLedger;
import dev.tracemonitor.judges.llm.EndpointLimits;
import dev.tracemonitor.judges.llm.LlmSettings;
import dev.tracemonitor.judges.llm.ModelPrices;
import dev.tracemonitor.scorers.ScorerSettings;
import dev.tracemonitor.scoring.ScoringEngine;
import dev.tracemonitor.serde.TraceFormats;
import dev.tracemonitor.sink.DeltaSinkConfig;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.otlp.OtlpEncoding;
import dev.tracemonitor.otlp.OtlpExperiments;
import dev.tracemonitor.topology.OtlpSettings;
import dev.tracemonitor.topology.Topics;
import dev.tracemonitor.topology.TraceMonitorTopology;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The service's own settings, in Kafka's {@link ConfigDef} style: each key with its type, default and documentation,
 * declared here once; a default that a component also knows is that component's constant. Every component gets its
 * settings record built here ({@link #topics()}, {@link #topologySettings()}, {@link #traceLogsSinkConfig()},
 * {@link #assessmentsSinkConfig()}, and through {@link #judging()} the engine's and the judge backend's). Every key not
 * defined here is passed through unchanged to the Kafka clients (Streams, the sink's consumer, the admin client), so
 * security, rack and tuning settings work as they do in any Kafka application.
 */
public final class ServiceConfig extends AbstractConfig {

    /** The prefix of the service's own keys; an undefined key with it is a typo and fails the start. */
    public static final String SERVICE_PREFIX = "trace-monitor.";
    /** Keys with this prefix go, without it, to the Hadoop configuration of the table storage. */
    public static final String HADOOP_PREFIX = "trace-monitor.hadoop.";
    /** Appended to the sink group id: the consumer group (and transaction-id prefix) of the trace_assessments sink. */
    public static final String ASSESSMENTS_SINK_GROUP_SUFFIX = "-assessments";

    public static final String JUDGE_BACKEND_CONFIG = "trace-monitor.judge.backend";
    private static final String JUDGE_BACKEND_DOC =
            "Judge backend: local (offline embeddings and rules) or llm (an OpenAI-compatible endpoint).";
    public static final String LLM_BASE_URL_CONFIG = "trace-monitor.llm.base.url";
    private static final String LLM_BASE_URL_DOC =
            "Base URL of the OpenAI-compatible API (…/v1); /chat/completions is appended. Required for llm.";
    public static final String LLM_MODEL_CONFIG = "trace-monitor.llm.model";
    private static final String LLM_MODEL_DOC =
            "Default judge model name sent to the endpoint; a monitor's judge may name another. Required for llm.";
    public static final String LLM_API_KEY_ENV_CONFIG = "trace-monitor.llm.api.key.env";
    private static final String LLM_API_KEY_ENV_DOC = "Environment variable holding the API key (never logged); it"
            + " must be set. Empty: no key (e.g. vLLM, Ollama).";
    public static final String LLM_API_KEY_FILE_CONFIG = "trace-monitor.llm.api.key.file";
    private static final String LLM_API_KEY_FILE_DOC =
            "File holding the API key, e.g. a mounted secret; overrides the environment variable.";
    public static final String LLM_TIMEOUT_CONFIG = "trace-monitor.llm.timeout";
    private static final String LLM_TIMEOUT_DOC = "Deadline of one judge call; a timeout is retried.";
    public static final String JUDGE_MAX_IN_FLIGHT_CONFIG = "trace-monitor.judge.max.in.flight";
    private static final String JUDGE_MAX_IN_FLIGHT_DOC = "Maximum judge calls running at once in this instance.";
    public static final String JUDGE_MAX_IN_MEMORY_CONFIG = "trace-monitor.judge.max.in.memory";
    private static final String JUDGE_MAX_IN_MEMORY_DOC = "Most judge tasks (and their traces) held in memory at once;"
            + " the others wait in the changelogged store. 0: 4 per call in flight.";
    public static final String JUDGE_MAX_ATTEMPTS_CONFIG = "trace-monitor.judge.max.attempts";
    private static final String JUDGE_MAX_ATTEMPTS_DOC = "Attempts per judge call that fails with an unexpected error"
            + " before an error Assessment is written (timeouts, connection errors, 408, 429 and 5xx are retried for"
            + " the outage budget instead).";
    public static final String JUDGE_OUTAGE_BUDGET_CONFIG = "trace-monitor.judge.outage.budget";
    private static final String JUDGE_OUTAGE_BUDGET_DOC = "How long a judge task retries timeouts, connection errors,"
            + " 408, 429 and 5xx (capped exponential backoff with jitter, a circuit breaker per endpoint) before an"
            + " error Assessment RETRIES_EXHAUSTED is written.";
    public static final String JUDGE_RATE_LIMIT_CONFIG = "trace-monitor.judge.rate.limit";
    private static final String JUDGE_RATE_LIMIT_DOC = "Most HTTP calls per second from this instance to each model of"
            + " the judge endpoint, shared by all its judges (0: unlimited); halved on a 429 and grown back.";
    public static final String SCORERS_DIR_CONFIG = "trace-monitor.scorers.dir";
    private static final String SCORERS_DIR_DOC = "Directory of code scorer plugin jars (dev.tracemonitor.scorer.Scorer"
            + " implementations named in META-INF/services), loaded at start; a monitor names a scorer as {\"scorer\":"
            + " \"pii_leak\"}. Empty: no plugins.";
    public static final String SCORER_TIMEOUT_CONFIG = "trace-monitor.scorer.timeout";
    private static final String SCORER_TIMEOUT_DOC = "Deadline of one code scorer call; a call past it is interrupted"
            + " and written as an error Assessment SCORER_TIMEOUT (never retried).";
    public static final String FORMAT_TRACES_CONFIG = "trace-monitor.format.traces";
    private static final String FORMAT_TRACES_DOC = "Wire format of the traces topic: json (MLflow's Trace.to_json())"
            + " or avro (Confluent framing with a schema registry at schema.registry.url).";

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Kafka bootstrap servers.";
    public static final String APPLICATION_ID_CONFIG = "application.id";
    private static final String APPLICATION_ID_DOC =
            "Kafka Streams application id: the consumer group and the prefix of internal topics.";
    public static final String STATE_DIR_CONFIG = "state.dir";
    private static final String STATE_DIR_DOC =
            "Directory of Kafka Streams' local state (pending judge tasks, traces awaiting feedback).";
    public static final String WAREHOUSE_CONFIG = "trace-monitor.warehouse";
    private static final String WAREHOUSE_DOC = "Root of the Delta tables: a local path or a Hadoop URI (file:, s3a:,"
            + " abfs:). Each monitor writes <warehouse>/<catalog_name>/<schema_name>/trace_logs_<experiment_id>.";
    public static final String FLUSH_INTERVAL_CONFIG = "trace-monitor.flush.interval";
    private static final String FLUSH_INTERVAL_DOC = "How often the sink commits a Delta version per table, as an"
            + " ISO-8601 duration aligned to the clock (PT15M commits at :00, :15, :30, :45).";
    public static final String STREAMS_ENABLED_CONFIG = "trace-monitor.streams.enabled";
    private static final String STREAMS_ENABLED_DOC = "Run the Kafka Streams topology in this process.";
    public static final String SINK_ENABLED_CONFIG = "trace-monitor.sink.enabled";
    private static final String SINK_ENABLED_DOC = "Run the Delta sink in this process.";
    public static final String SINK_GROUP_ID_CONFIG = "trace-monitor.sink.group.id";
    private static final String SINK_GROUP_ID_DOC =
            "Consumer group of the Delta sink; also the prefix of its Delta transaction ids.";
    public static final String SINK_MAX_ROWS_PER_FILE_CONFIG = "trace-monitor.sink.max.rows.per.file";
    private static final String SINK_MAX_ROWS_PER_FILE_DOC =
            "The sink rolls to a new Parquet file after this many rows, bounding memory.";
    public static final String SINK_MAX_BUFFERED_BYTES_CONFIG = "trace-monitor.sink.max.buffered.bytes";
    private static final String SINK_MAX_BUFFERED_BYTES_DOC = "Record bytes each sink holds in memory before writing"
            + " its largest buffer to a Parquet file; about 1.3 times as much heap.";
    public static final String SCORING_DEADLINE_CONFIG = "trace-monitor.scoring.deadline";
    private static final String SCORING_DEADLINE_DOC =
            "How long a sampled trace waits for its judges before it is written with the feedback so far.";
    public static final String MAX_TRACE_BYTES_CONFIG = "trace-monitor.max.trace.bytes";
    private static final String MAX_TRACE_BYTES_DOC = "Largest trace record (key, value and headers, as read from the"
            + " traces topic) the service processes; a larger one goes to the dead-letter topic as a small error record"
            + " naming its size and offset. Its copies must fit in the producer's max.request.size and the output"
            + " topics' max.message.bytes: keep it " + TraceMonitorTopology.Settings.HEADROOM_BYTES + " bytes below"
            + " both (the start fails if max.request.size is set lower).";
    public static final String REGISTRY_OUTAGE_WAIT_CONFIG = "trace-monitor.schema.registry.outage.wait";
    private static final String REGISTRY_OUTAGE_WAIT_DOC = "How long decoding an Avro trace waits out an unavailable"
            + " schema registry (after the client's own retries), retrying with backoff, before the stream thread is"
            + " replaced and the record read again; it is never dead-lettered for an outage. With Avro traces it must"
            + " be below the main consumer's max.poll.interval.ms (the start fails otherwise).";
    public static final String FORMAT_FEEDBACK_CONFIG = "trace-monitor.format.feedback";
    private static final String FORMAT_FEEDBACK_DOC =
            "Wire format of the feedback topic: json or avro (schema registered under <topic>-value).";
    public static final String TOPIC_TRACES_CONFIG = "trace-monitor.topic.traces";
    private static final String TOPIC_TRACES_DOC = "Input topic of traces.";
    public static final String TOPIC_MONITOR_CONFIG_CONFIG = "trace-monitor.topic.monitor-config";
    private static final String TOPIC_MONITOR_CONFIG_DOC = "Compacted topic of monitor configs, keyed by experiment_id.";
    public static final String TOPIC_MONITOR_STATUS_CONFIG = "trace-monitor.topic.monitor-status";
    private static final String TOPIC_MONITOR_STATUS_DOC = "Compacted topic of status events answering each config publish.";
    public static final String TOPIC_FEEDBACK_CONFIG = "trace-monitor.topic.feedback";
    private static final String TOPIC_FEEDBACK_DOC = "Output topic: one Assessment per judge result.";
    public static final String TOPIC_ASSESSED_CONFIG = "trace-monitor.topic.assessed";
    private static final String TOPIC_ASSESSED_DOC =
            "Output topic: each trace with its assessments; what the Delta sink reads.";
    public static final String TOPIC_DLQ_CONFIG = "trace-monitor.topic.dlq";
    private static final String TOPIC_DLQ_DOC = "Dead-letter topic for records that cannot be traces.";
    public static final String TOPIC_OTLP_CONFIG = "trace-monitor.topic.otlp";
    private static final String TOPIC_OTLP_DOC = "Input topic of OTLP spans as the OpenTelemetry Collector's Kafka"
            + " exporter writes them (its default topic is otlp_spans); empty: no OTLP input.";
    public static final String TOPIC_BACKFILL_PROGRESS_CONFIG = "trace-monitor.topic.backfill-progress";
    private static final String TOPIC_BACKFILL_PROGRESS_DOC = "Compacted topic where `trace-monitor backfill` records"
            + " each (trace, judge) pair it has finished, in the transaction of the pair's Assessments; a restarted"
            + " backfill resumes from it. Created by the first backfill.";
    public static final String DEFAULT_BACKFILL_PROGRESS = "trace-monitor-backfill-progress";
    public static final String TOPIC_ALERTS_CONFIG = "trace-monitor.topic.alerts";
    private static final String TOPIC_ALERTS_DOC = "Compacted topic where each alert a monitor raises is recorded,"
            + " pending before its webhook is posted and delivered once the webhook answered 2xx; a pending alert is"
            + " posted again each round until delivered. Created at start when trace-monitor.topic.create is true.";
    public static final String DEFAULT_ALERTS_TOPIC = "monitor-alerts";
    public static final String ALERTS_INTERVAL_CONFIG = "trace-monitor.alerts.interval";
    private static final String ALERTS_INTERVAL_DOC = "How often the sink process evaluates the monitors' alert rules"
            + " and posts pending alerts again.";
    public static final String ALERTS_LOOKBACK_CONFIG = "trace-monitor.alerts.lookback";
    private static final String ALERTS_LOOKBACK_DOC = "How far back alert windows are evaluated: a window that ended"
            + " earlier is never alerted on (after a start, windows within it are judged once more, and posted only"
            + " if not recorded on the alerts topic).";
    public static final String TOPIC_BUDGET_CONFIG = "trace-monitor.topic.budget";
    private static final String TOPIC_BUDGET_DOC = "Single-partition topic through which the instances share the"
            + " monitors' budgets: call reservations, tokens spent, skipped evaluations and the budget_exhausted and"
            + " budget_resumed events. Created at start when trace-monitor.topic.create is true.";
    public static final String DEFAULT_BUDGET_TOPIC = "monitor-budget";
    public static final String BUDGET_CALLS_WINDOW_CONFIG = "trace-monitor.budget.calls.window";
    private static final String BUDGET_CALLS_WINDOW_DOC = "The window a monitor's budget.max_calls_per_hour counts"
            + " evaluations in, aligned to the clock: an hour (shorter only for tests).";
    public static final String BUDGET_TOKENS_WINDOW_CONFIG = "trace-monitor.budget.tokens.window";
    private static final String BUDGET_TOKENS_WINDOW_DOC = "The window a monitor's budget.max_tokens_per_day counts"
            + " tokens in, aligned to the clock: a day (shorter only for tests).";
    public static final String TOPIC_OTLP_SPANS_CONFIG = "trace-monitor.topic.otlp-spans";
    private static final String TOPIC_OTLP_SPANS_DOC = "Topic through which the OTLP spans are re-keyed by trace id,"
            + " so that all spans of a trace reach one task (read and written by the service only).";
    public static final String FORMAT_OTLP_CONFIG = "trace-monitor.format.otlp";
    private static final String FORMAT_OTLP_DOC = "Encoding of the OTLP topic, as the exporter's traces encoding:"
            + " otlp_proto (ExportTraceServiceRequest protobuf) or otlp_json (OTLP/JSON).";
    public static final String OTLP_QUIET_PERIOD_CONFIG = "trace-monitor.otlp.quiet.period";
    private static final String OTLP_QUIET_PERIOD_DOC = "An OTLP trace is emitted once its root span has come and no"
            + " span of it has come for this long (wall clock).";
    public static final String OTLP_MAX_WAIT_CONFIG = "trace-monitor.otlp.max.wait";
    private static final String OTLP_MAX_WAIT_DOC = "An OTLP trace is emitted with what has come once it has been"
            + " held this long, root span or not; its spans are kept this long after its emission, and a span"
            + " arriving meanwhile makes a late update of the trace.";
    public static final String OTLP_MAX_SPANS_CONFIG = "trace-monitor.otlp.max.spans";
    private static final String OTLP_MAX_SPANS_DOC = "Most spans held per OTLP trace (its bytes are bounded by"
            + " trace-monitor.max.trace.bytes); spans beyond are dead-lettered and the trace emitted with what it holds.";
    public static final String OTLP_EXPERIMENT_ATTRIBUTE_CONFIG = "trace-monitor.otlp.experiment.attribute";
    private static final String OTLP_EXPERIMENT_ATTRIBUTE_DOC = "Resource or span attribute naming an OTLP trace's"
            + " experiment (the resource's first, then the first span's that has it).";
    public static final String OTLP_SERVICE_EXPERIMENTS_CONFIG = "trace-monitor.otlp.service.experiments";
    private static final String OTLP_SERVICE_EXPERIMENTS_DOC = "The experiment of OTLP spans whose resource has no"
            + " experiment attribute, by service.name: service=experiment pairs, comma-separated.";
    public static final String OTLP_UNMAPPED_CONFIG = "trace-monitor.otlp.unmapped";
    private static final String OTLP_UNMAPPED_DOC = "An OTLP trace whose spans name no experiment (neither attribute"
            + " nor service mapping): dead-letter (its spans to the dead-letter topic, reason no_experiment) or drop"
            + " (counted in trace_monitor_otlp_dropped_total).";
    public static final String TOPIC_PARTITIONS_CONFIG = "trace-monitor.topic.partitions";
    private static final String TOPIC_PARTITIONS_DOC = "Partitions of topics the service creates.";
    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "trace-monitor.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC =
            "Replication factor of topics the service creates (-1: the broker default).";
    public static final String TOPIC_CREATE_CONFIG = "trace-monitor.topic.create";
    private static final String TOPIC_CREATE_DOC =
            "Create missing topics at start, with cleanup.policy=compact for the config and status topics.";
    public static final String HTTP_PORT_CONFIG = "trace-monitor.http.port";
    private static final String HTTP_PORT_DOC = "Port of the HTTP endpoint serving the monitoring page (/), /metrics"
            + " (Prometheus), /health/live and /health/ready (0: an ephemeral port, -1: no HTTP endpoint).";
    public static final String HTTP_ADDRESS_CONFIG = "trace-monitor.http.address";
    private static final String HTTP_ADDRESS_DOC = "Address the HTTP endpoint binds to.";
    public static final String SHUTDOWN_TIMEOUT_CONFIG = "trace-monitor.shutdown.timeout";
    private static final String SHUTDOWN_TIMEOUT_DOC = "On SIGTERM, the longest wait for Kafka Streams to commit and"
            + " close and for the sink's last flush; whatever is not done by then is read again from Kafka on the next"
            + " start.";

    /** The keys that decode and judge traces, which need no Kafka setting: what {@link JudgingConfig} reads. */
    static final ConfigDef JUDGING = new ConfigDef()
            .define(JUDGE_BACKEND_CONFIG, Type.STRING, JudgeBackends.Kind.LOCAL.configValue(),
                    ConfigDef.ValidString.in(JudgeBackends.Kind.configValues()), Importance.HIGH, JUDGE_BACKEND_DOC)
            .define(LLM_BASE_URL_CONFIG, Type.STRING, "", Importance.HIGH, LLM_BASE_URL_DOC)
            .define(LLM_MODEL_CONFIG, Type.STRING, "", Importance.HIGH, LLM_MODEL_DOC)
            .define(LLM_API_KEY_ENV_CONFIG, Type.STRING, "OPENAI_API_KEY", Importance.MEDIUM, LLM_API_KEY_ENV_DOC)
            .define(LLM_API_KEY_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, LLM_API_KEY_FILE_DOC)
            .define(LLM_TIMEOUT_CONFIG, Type.STRING, LlmSettings.DEFAULT_TIMEOUT.toString(), durationValidator(),
                    Importance.MEDIUM, LLM_TIMEOUT_DOC)
            .define(JUDGE_MAX_IN_FLIGHT_CONFIG, Type.INT, ScoringEngine.Settings.DEFAULT_MAX_IN_FLIGHT,
                    ConfigDef.Range.between(1, 1024), Importance.MEDIUM, JUDGE_MAX_IN_FLIGHT_DOC)
            .define(JUDGE_MAX_IN_MEMORY_CONFIG, Type.INT, 0, ConfigDef.Range.between(0, 1 << 20), Importance.LOW,
                    JUDGE_MAX_IN_MEMORY_DOC)
            .define(JUDGE_MAX_ATTEMPTS_CONFIG, Type.INT, ScoringEngine.Settings.DEFAULT_MAX_ATTEMPTS,
                    ConfigDef.Range.between(1, 20), Importance.LOW, JUDGE_MAX_ATTEMPTS_DOC)
            .define(JUDGE_OUTAGE_BUDGET_CONFIG, Type.STRING, ScoringEngine.Settings.DEFAULT_OUTAGE_BUDGET.toString(),
                    durationValidator(), Importance.MEDIUM, JUDGE_OUTAGE_BUDGET_DOC)
            .define(JUDGE_RATE_LIMIT_CONFIG, Type.DOUBLE, EndpointLimits.DEFAULT_CALLS_PER_SECOND,
                    ConfigDef.Range.atLeast(0), Importance.MEDIUM, JUDGE_RATE_LIMIT_DOC)
            .define(SCORERS_DIR_CONFIG, Type.STRING, "", Importance.MEDIUM, SCORERS_DIR_DOC)
            .define(SCORER_TIMEOUT_CONFIG, Type.STRING, ScorerSettings.DEFAULT_TIMEOUT.toString(), durationValidator(),
                    Importance.MEDIUM, SCORER_TIMEOUT_DOC)
            .define(FORMAT_TRACES_CONFIG, Type.STRING, TraceFormats.JSON, formatValidator(), Importance.MEDIUM,
                    FORMAT_TRACES_DOC);

    public static final ConfigDef CONFIG = new ConfigDef(JUDGING)
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    BOOTSTRAP_SERVERS_DOC)
            .define(APPLICATION_ID_CONFIG, Type.STRING, "trace-monitor", Importance.HIGH, APPLICATION_ID_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, defaultStateDir(), Importance.MEDIUM, STATE_DIR_DOC)
            .define(WAREHOUSE_CONFIG, Type.STRING, "warehouse", Importance.HIGH, WAREHOUSE_DOC)
            .define(FLUSH_INTERVAL_CONFIG, Type.STRING, DeltaSinkConfig.DEFAULT_FLUSH_INTERVAL.toString(),
                    durationValidator(), Importance.HIGH, FLUSH_INTERVAL_DOC)
            .define(STREAMS_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, STREAMS_ENABLED_DOC)
            .define(SINK_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, SINK_ENABLED_DOC)
            .define(SINK_GROUP_ID_CONFIG, Type.STRING, DeltaSinkConfig.DEFAULT_GROUP_ID, Importance.MEDIUM,
                    SINK_GROUP_ID_DOC)
            .define(SINK_MAX_ROWS_PER_FILE_CONFIG, Type.LONG, DeltaSinkConfig.DEFAULT_MAX_ROWS_PER_FILE,
                    ConfigDef.Range.atLeast(1), Importance.LOW, SINK_MAX_ROWS_PER_FILE_DOC)
            .define(SINK_MAX_BUFFERED_BYTES_CONFIG, Type.LONG, DeltaSinkConfig.DEFAULT_MAX_BUFFERED_BYTES,
                    ConfigDef.Range.atLeast(1024 * 1024), Importance.LOW, SINK_MAX_BUFFERED_BYTES_DOC)
            .define(MAX_TRACE_BYTES_CONFIG, Type.INT, TraceMonitorTopology.Settings.DEFAULT_MAX_TRACE_BYTES,
                    ConfigDef.Range.atLeast(1024), Importance.MEDIUM, MAX_TRACE_BYTES_DOC)
            .define(SCORING_DEADLINE_CONFIG, Type.STRING,
                    TraceMonitorTopology.Settings.DEFAULT_SCORING_DEADLINE.toString(), durationValidator(),
                    Importance.MEDIUM, SCORING_DEADLINE_DOC)
            .define(REGISTRY_OUTAGE_WAIT_CONFIG, Type.STRING,
                    TraceMonitorTopology.Settings.DEFAULT_REGISTRY_OUTAGE_WAIT.toString(), durationValidator(),
                    Importance.LOW, REGISTRY_OUTAGE_WAIT_DOC)
            .define(FORMAT_FEEDBACK_CONFIG, Type.STRING, TraceFormats.JSON, formatValidator(), Importance.MEDIUM,
                    FORMAT_FEEDBACK_DOC)
            .define(TOPIC_TRACES_CONFIG, Type.STRING, Topics.DEFAULT_TRACES, Importance.MEDIUM, TOPIC_TRACES_DOC)
            .define(TOPIC_MONITOR_CONFIG_CONFIG, Type.STRING, Topics.DEFAULT_MONITOR_CONFIG, Importance.MEDIUM,
                    TOPIC_MONITOR_CONFIG_DOC)
            .define(TOPIC_MONITOR_STATUS_CONFIG, Type.STRING, Topics.DEFAULT_MONITOR_STATUS, Importance.MEDIUM,
                    TOPIC_MONITOR_STATUS_DOC)
            .define(TOPIC_FEEDBACK_CONFIG, Type.STRING, Topics.DEFAULT_FEEDBACK, Importance.MEDIUM, TOPIC_FEEDBACK_DOC)
            .define(TOPIC_ASSESSED_CONFIG, Type.STRING, Topics.DEFAULT_ASSESSED, Importance.MEDIUM, TOPIC_ASSESSED_DOC)
            .define(TOPIC_DLQ_CONFIG, Type.STRING, Topics.DEFAULT_DLQ, Importance.MEDIUM, TOPIC_DLQ_DOC)
            .define(TOPIC_OTLP_CONFIG, Type.STRING, Topics.DEFAULT_OTLP, Importance.MEDIUM, TOPIC_OTLP_DOC)
            .define(TOPIC_BACKFILL_PROGRESS_CONFIG, Type.STRING, DEFAULT_BACKFILL_PROGRESS,
                    new ConfigDef.NonEmptyString(), Importance.LOW, TOPIC_BACKFILL_PROGRESS_DOC)
            .define(TOPIC_ALERTS_CONFIG, Type.STRING, DEFAULT_ALERTS_TOPIC, new ConfigDef.NonEmptyString(),
                    Importance.LOW, TOPIC_ALERTS_DOC)
            .define(ALERTS_INTERVAL_CONFIG, Type.STRING, "PT1M", durationValidator(), Importance.LOW,
                    ALERTS_INTERVAL_DOC)
            .define(ALERTS_LOOKBACK_CONFIG, Type.STRING, "PT24H", durationValidator(), Importance.LOW,
                    ALERTS_LOOKBACK_DOC)
            .define(TOPIC_BUDGET_CONFIG, Type.STRING, DEFAULT_BUDGET_TOPIC, new ConfigDef.NonEmptyString(),
                    Importance.LOW, TOPIC_BUDGET_DOC)
            .define(BUDGET_CALLS_WINDOW_CONFIG, Type.STRING, "PT1H", durationValidator(), Importance.LOW,
                    BUDGET_CALLS_WINDOW_DOC)
            .define(BUDGET_TOKENS_WINDOW_CONFIG, Type.STRING, "PT24H", durationValidator(), Importance.LOW,
                    BUDGET_TOKENS_WINDOW_DOC)
            .define(TOPIC_OTLP_SPANS_CONFIG, Type.STRING, Topics.DEFAULT_OTLP_SPANS, new ConfigDef.NonEmptyString(),
                    Importance.LOW, TOPIC_OTLP_SPANS_DOC)
            .define(FORMAT_OTLP_CONFIG, Type.STRING, OtlpEncoding.OTLP_PROTO.configName(),
                    ConfigDef.ValidString.in(OtlpEncoding.OTLP_PROTO.configName(), OtlpEncoding.OTLP_JSON.configName()),
                    Importance.MEDIUM, FORMAT_OTLP_DOC)
            .define(OTLP_QUIET_PERIOD_CONFIG, Type.STRING, OtlpSettings.DEFAULT_QUIET_PERIOD.toString(),
                    durationValidator(), Importance.MEDIUM, OTLP_QUIET_PERIOD_DOC)
            .define(OTLP_MAX_WAIT_CONFIG, Type.STRING, OtlpSettings.DEFAULT_MAX_WAIT.toString(), durationValidator(),
                    Importance.MEDIUM, OTLP_MAX_WAIT_DOC)
            .define(OTLP_MAX_SPANS_CONFIG, Type.INT, OtlpSettings.DEFAULT_MAX_SPANS, ConfigDef.Range.between(1, 999_999),
                    Importance.LOW, OTLP_MAX_SPANS_DOC)
            .define(OTLP_EXPERIMENT_ATTRIBUTE_CONFIG, Type.STRING, OtlpExperiments.DEFAULT_ATTRIBUTE,
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM, OTLP_EXPERIMENT_ATTRIBUTE_DOC)
            .define(OTLP_SERVICE_EXPERIMENTS_CONFIG, Type.STRING, "", serviceExperimentsValidator(), Importance.MEDIUM,
                    OTLP_SERVICE_EXPERIMENTS_DOC)
            .define(OTLP_UNMAPPED_CONFIG, Type.STRING, OtlpSettings.Unmapped.DEAD_LETTER.configName(),
                    ConfigDef.ValidString.in(java.util.Arrays.stream(OtlpSettings.Unmapped.values())
                            .map(OtlpSettings.Unmapped::configName).toArray(String[]::new)),
                    Importance.LOW, OTLP_UNMAPPED_DOC)
            .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW,
                    TOPIC_PARTITIONS_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) -1, Importance.LOW,
                    TOPIC_REPLICATION_FACTOR_DOC)
            .define(TOPIC_CREATE_CONFIG, Type.BOOLEAN, true, Importance.LOW, TOPIC_CREATE_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, 8080, ConfigDef.Range.between(-1, 65535), Importance.MEDIUM,
                    HTTP_PORT_DOC)
            .define(HTTP_ADDRESS_CONFIG, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.LOW,
                    HTTP_ADDRESS_DOC)
            .define(SHUTDOWN_TIMEOUT_CONFIG, Type.STRING, "PT30S", durationValidator(), Importance.MEDIUM,
                    SHUTDOWN_TIMEOUT_DOC);

    private final JudgingConfig judging;

    public ServiceConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
        this.judging = new JudgingConfig(props);
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
            if (k.startsWith(SERVICE_PREFIX) && !k.startsWith(HADOOP_PREFIX) && !k.startsWith(ModelPrices.PREFIX)
                    && !CONFIG.names().contains(k)) {
                throw new ConfigException(k, v, "not a trace-monitor setting (see the configuration table in the README)");
            }
        });
        try {
            ModelPrices.fromSettings(originals());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (duration(OTLP_QUIET_PERIOD_CONFIG).compareTo(duration(OTLP_MAX_WAIT_CONFIG)) >= 0) {
            throw new ConfigException(OTLP_QUIET_PERIOD_CONFIG, getString(OTLP_QUIET_PERIOD_CONFIG), "must be shorter"
                    + " than " + OTLP_MAX_WAIT_CONFIG + " (" + getString(OTLP_MAX_WAIT_CONFIG) + ")");
        }
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
            StreamsConfig streamsConfig = new StreamsConfig(streams);
            Map<String, Object> mainConsumer = new HashMap<>(streamsConfig.getMainConsumerConfigs("validate", "validate", 0));
            mainConsumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            mainConsumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            long maxPollMs = new ConsumerConfig(mainConsumer).getInt(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
            if (TraceFormats.AVRO.equals(getString(FORMAT_TRACES_CONFIG))
                    && duration(REGISTRY_OUTAGE_WAIT_CONFIG).toMillis() >= maxPollMs) {
                throw new ConfigException(REGISTRY_OUTAGE_WAIT_CONFIG, getString(REGISTRY_OUTAGE_WAIT_CONFIG),
                        "must be below the main consumer's " + ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG + " ("
                        + maxPollMs + " ms), or the group evicts the instance while it waits; lower it or raise "
                        + ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
            }
            Map<String, Object> producer = new HashMap<>(streamsConfig.getProducerConfigs("validate"));
            producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            int maxRequest = new ProducerConfig(producer).getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            long needed = (long) getInt(MAX_TRACE_BYTES_CONFIG) + TraceMonitorTopology.Settings.HEADROOM_BYTES;
            if (maxRequest < needed) {
                throw new ConfigException(MAX_TRACE_BYTES_CONFIG, getInt(MAX_TRACE_BYTES_CONFIG), "the producer's "
                        + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " (" + maxRequest + ") must be at least this plus "
                        + TraceMonitorTopology.Settings.HEADROOM_BYTES + " bytes (" + needed + "), or a trace that"
                        + " fits the limit could not be written; raise max.request.size (producer.max.request.size)"
                        + " or lower " + MAX_TRACE_BYTES_CONFIG);
            }
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
        return new Topics(getString(TOPIC_TRACES_CONFIG), getString(TOPIC_MONITOR_CONFIG_CONFIG),
                getString(TOPIC_MONITOR_STATUS_CONFIG), getString(TOPIC_FEEDBACK_CONFIG), getString(TOPIC_ASSESSED_CONFIG),
                getString(TOPIC_DLQ_CONFIG), getString(TOPIC_OTLP_CONFIG).trim(), getString(TOPIC_OTLP_SPANS_CONFIG));
    }

    /**
     * How alerts are evaluated: a window is judged once two flush intervals have passed since its end, so that its
     * Assessments are in the table.
     */
    public AlertDispatcher.Settings alertSettings() {
        return new AlertDispatcher.Settings(getString(TOPIC_MONITOR_CONFIG_CONFIG), getString(TOPIC_ALERTS_CONFIG),
                getBoolean(TOPIC_CREATE_CONFIG), duration(ALERTS_INTERVAL_CONFIG), duration(ALERTS_LOOKBACK_CONFIG),
                duration(FLUSH_INTERVAL_CONFIG).multipliedBy(2));
    }

    /** Where the monitors' budgets are shared and the windows they count in. */
    public BudgetLedger.Settings budgetSettings() {
        return new BudgetLedger.Settings(getString(TOPIC_BUDGET_CONFIG), getBoolean(TOPIC_CREATE_CONFIG),
                duration(BUDGET_CALLS_WINDOW_CONFIG), duration(BUDGET_TOKENS_WINDOW_CONFIG),
                BudgetLedger.Settings.DEFAULT_TIMEOUT);
    }

    /** How the OTLP input is read and assembled into traces (used when {@value #TOPIC_OTLP_CONFIG} is set). */
    public OtlpSettings otlpSettings() {
        return new OtlpSettings(OtlpEncoding.of(getString(FORMAT_OTLP_CONFIG)),
                new OtlpExperiments(getString(OTLP_EXPERIMENT_ATTRIBUTE_CONFIG),
                        serviceExperiments(getString(OTLP_SERVICE_EXPERIMENTS_CONFIG))),
                duration(OTLP_QUIET_PERIOD_CONFIG), duration(OTLP_MAX_WAIT_CONFIG), getInt(OTLP_MAX_SPANS_CONFIG),
                OtlpSettings.Unmapped.of(getString(OTLP_UNMAPPED_CONFIG)));
    }

    /** {@code checkout=42, search=7} as a map from service name to experiment id. */
    private static Map<String, String> serviceExperiments(String pairs) {
        Map<String, String> map = new HashMap<>();
        for (String pair : pairs.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new ConfigException(OTLP_SERVICE_EXPERIMENTS_CONFIG, pairs,
                        "expected service=experiment pairs, comma-separated; found '" + pair.trim() + "'");
            }
            map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return map;
    }

    private static ConfigDef.Validator serviceExperimentsValidator() {
        return (name, value) -> serviceExperiments(String.valueOf(value));
    }

    /** The settings of decoding and judging: the judge backend, the scoring engine, the traces format. */
    public JudgingConfig judging() {
        return judging;
    }

    public TraceMonitorTopology.Settings topologySettings() {
        return new TraceMonitorTopology.Settings(duration(SCORING_DEADLINE_CONFIG),
                TraceMonitorTopology.Settings.DEFAULT_DRAIN_INTERVAL, getInt(MAX_TRACE_BYTES_CONFIG),
                duration(REGISTRY_OUTAGE_WAIT_CONFIG));
    }

    /** The configuration of the sink writing trace_logs tables from traces-assessed. */
    public DeltaSinkConfig traceLogsSinkConfig() {
        return sinkConfig(getString(SINK_GROUP_ID_CONFIG), topics().assessed(), SinkTableKind.TRACE_LOGS);
    }

    /** The configuration of the sink writing trace_assessments tables from trace-feedback. */
    public DeltaSinkConfig assessmentsSinkConfig() {
        return sinkConfig(getString(SINK_GROUP_ID_CONFIG) + ASSESSMENTS_SINK_GROUP_SUFFIX, topics().feedback(),
                SinkTableKind.TRACE_ASSESSMENTS);
    }

    private DeltaSinkConfig sinkConfig(String groupId, String topic, SinkTableKind kind) {
        DeltaSinkConfig.Builder builder = DeltaSinkConfig.builder(getString(BOOTSTRAP_SERVERS_CONFIG),
                        getString(WAREHOUSE_CONFIG))
                .consumerProperties(kafkaProperties())
                .groupId(groupId)
                .topic(topic)
                .kind(kind)
                .flushInterval(duration(FLUSH_INTERVAL_CONFIG))
                .maxRowsPerFile(getLong(SINK_MAX_ROWS_PER_FILE_CONFIG))
                .maxBufferedBytes(getLong(SINK_MAX_BUFFERED_BYTES_CONFIG));
        hadoopProperties().forEach(builder::hadoopConf);
        return builder.build();
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

    /** The Kafka client settings: bootstrap.servers and every key that is not the service's own. */
    public Map<String, Object> kafkaProperties() {
        Map<String, Object> kafka = kafkaSettings(originals());
        kafka.put(BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS_CONFIG));
        return kafka;
    }

    /**
     * The Kafka client settings among {@code settings}, which are not parsed: bootstrap.servers and every key that is
     * not the service's own (neither defined here nor under {@value #SERVICE_PREFIX}).
     */
    public static Map<String, Object> kafkaSettings(Map<?, ?> settings) {
        Map<String, Object> kafka = new HashMap<>();
        settings.forEach((k, v) -> {
            String key = k.toString();
            if (key.equals(BOOTSTRAP_SERVERS_CONFIG) || !(key.startsWith(SERVICE_PREFIX) || CONFIG.names().contains(key))) {
                kafka.put(key, v);
            }
        });
        return kafka;
    }

    private static String defaultStateDir() {
        return System.getProperty("java.io.tmpdir") + "/trace-monitor-state";
    }

    private static ConfigDef.Validator formatValidator() {
        return ConfigDef.ValidString.in(TraceFormats.JSON, TraceFormats.AVRO);
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
