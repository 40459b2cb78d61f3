package dev.tracemonitor.sink;

import dev.tracemonitor.delta.DeltaStorage;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Configuration of the {@link DeltaSink}: the consumer (must include {@code bootstrap.servers} and {@code group.id}),
 * the topic, the warehouse root, the flush cadence, the file bounds, the Hadoop settings of the file system and the
 * kind of tables written ({@code trace_logs} from {@code traces-assessed}, or {@code trace_assessments} from
 * {@code trace-feedback}).
 *
 * @param maxRowsPerFile   a table's rows of one {@code request_date} are written out as a Parquet file at this count
 * @param maxBufferedBytes bound on the record bytes held in memory before being written to files; past it, the
 *                         largest buffer is written out
 */
public record DeltaSinkConfig(
        Map<String, Object> consumerProperties,
        String topic,
        String warehouse,
        Duration flushInterval,
        boolean alignToClock,
        long maxRowsPerFile,
        long maxBufferedBytes,
        Map<String, String> hadoopConf,
        SinkTableKind kind) {

    public static final String DEFAULT_GROUP_ID = "trace-monitor-delta-sink";
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMinutes(15);
    public static final long DEFAULT_MAX_ROWS_PER_FILE = 50_000;
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;

    public DeltaSinkConfig {
        Objects.requireNonNull(consumerProperties, "consumerProperties");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(warehouse, "warehouse");
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(kind, "kind");
        require(consumerProperties.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) != null, "bootstrap.servers is required");
        require(consumerProperties.get(ConsumerConfig.GROUP_ID_CONFIG) != null, "group.id is required");
        require(!flushInterval.isNegative() && !flushInterval.isZero(), "flushInterval must be positive");
        require(maxRowsPerFile > 0, "maxRowsPerFile must be positive");
        require(maxBufferedBytes > 0, "maxBufferedBytes must be positive");
        consumerProperties = Map.copyOf(consumerProperties);
        hadoopConf = hadoopConf == null ? Map.of() : Map.copyOf(hadoopConf);
    }

    public static Builder builder(String bootstrapServers, String warehouse) {
        return new Builder(bootstrapServers, warehouse);
    }

    public String groupId() {
        return consumerProperties.get(ConsumerConfig.GROUP_ID_CONFIG).toString();
    }

    /** The Delta transaction identifier of a source partition: {@code <group.id>-<topic>-<partition>}. */
    public String appId(int partition) {
        return groupId() + "-" + topic + "-" + partition;
    }

    /** The consumer settings the sink runs with: the given ones, with the settings its correctness depends on. */
    public Map<String, Object> effectiveConsumerProperties() {
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    /** The Hadoop configuration of the table storage: the given settings, and the service's local log store. */
    public Configuration hadoopConfiguration() {
        Configuration conf = new Configuration();
        hadoopConf.forEach(conf::set);
        return DeltaStorage.configure(conf);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Builds a {@link DeltaSinkConfig} from the defaults: group {@value #DEFAULT_GROUP_ID}, 15-minute aligned flushes,
     * trace_logs tables. The topic has no default: name it with {@link #topic(String)}.
     */
    public static final class Builder {
        private final Map<String, Object> consumerProperties = new LinkedHashMap<>();
        private final Map<String, String> hadoopConf = new LinkedHashMap<>();
        private final String warehouse;
        private String topic;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private boolean alignToClock = true;
        private long maxRowsPerFile = DEFAULT_MAX_ROWS_PER_FILE;
        private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
        private SinkTableKind kind = SinkTableKind.TRACE_LOGS;

        private Builder(String bootstrapServers, String warehouse) {
            this.warehouse = warehouse;
            consumerProperties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            consumerProperties.put(ConsumerConfig.GROUP_ID_CONFIG, DEFAULT_GROUP_ID);
        }

        public Builder groupId(String groupId) {
            return consumerProperty(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }

        public Builder consumerProperty(String name, Object value) {
            consumerProperties.put(name, value);
            return this;
        }

        public Builder consumerProperties(Map<String, ?> properties) {
            consumerProperties.putAll(properties);
            return this;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
            return this;
        }

        public Builder alignToClock(boolean alignToClock) {
            this.alignToClock = alignToClock;
            return this;
        }

        public Builder maxRowsPerFile(long maxRowsPerFile) {
            this.maxRowsPerFile = maxRowsPerFile;
            return this;
        }

        public Builder maxBufferedBytes(long maxBufferedBytes) {
            this.maxBufferedBytes = maxBufferedBytes;
            return this;
        }

        /** Which tables the sink writes (default {@link SinkTableKind#TRACE_LOGS}). */
        public Builder kind(SinkTableKind kind) {
            this.kind = kind;
            return this;
        }

        public Builder hadoopConf(String name, String value) {
            hadoopConf.put(name, value);
            return this;
        }

        public DeltaSinkConfig build() {
            return new DeltaSinkConfig(consumerProperties, topic, warehouse, flushInterval, alignToClock,
                    maxRowsPerFile, maxBufferedBytes, hadoopConf, kind);
        }
    }
}
