package dev.tracemonitor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.delta.DeltaStorage;
import dev.tracemonitor.delta.LocalAtomicLogStore;
import dev.tracemonitor.service.ServiceConfig;
import java.time.Duration;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** How the service configuration becomes the two sinks' configurations: topics, groups, storage settings. */
class SinkRunnerConfigTest {

    private static ServiceConfig config(String... keyValues) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return ServiceConfig.of(props);
    }

    @Test
    void traceLogsAndAssessmentsSinksReadTheirTopicsInTheirOwnGroups() {
        ServiceConfig config = config(ServiceConfig.SINK_GROUP_ID_CONFIG, "g", ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1M",
                ServiceConfig.WAREHOUSE_CONFIG, "s3a://bucket/wh", "security.protocol", "SSL",
                ServiceConfig.SINK_MAX_ROWS_PER_FILE_CONFIG, "2000", ServiceConfig.SINK_MAX_BUFFERED_BYTES_CONFIG, "8388608");
        DeltaSinkConfig traces = config.traceLogsSinkConfig();
        DeltaSinkConfig assessments = config.assessmentsSinkConfig();

        assertThat(traces.kind()).isEqualTo(SinkTableKind.TRACE_LOGS);
        assertThat(traces.topic()).isEqualTo("traces-assessed");
        assertThat(traces.appId(2)).isEqualTo("g-traces-assessed-2");
        assertThat(assessments.kind()).isEqualTo(SinkTableKind.TRACE_ASSESSMENTS);
        assertThat(assessments.topic()).isEqualTo("trace-feedback");
        assertThat(assessments.appId(0)).isEqualTo("g-assessments-trace-feedback-0");
        for (DeltaSinkConfig sink : new DeltaSinkConfig[] {traces, assessments}) {
            assertThat(sink.warehouse()).isEqualTo("s3a://bucket/wh");
            assertThat(sink.flushInterval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(sink.maxRowsPerFile()).isEqualTo(2000);
            assertThat(sink.maxBufferedBytes()).isEqualTo(8L * 1024 * 1024);
            assertThat(sink.effectiveConsumerProperties()).containsEntry("security.protocol", "SSL")
                    .containsEntry("isolation.level", "read_committed");
        }
        TableAddress address = new TableAddress("main", "mon", "42");
        assertThat(SinkTableKind.TRACE_LOGS.path(address, traces.warehouse()))
                .isEqualTo("s3a://bucket/wh/main/mon/trace_logs_42");
        assertThat(SinkTableKind.TRACE_ASSESSMENTS.path(address, traces.warehouse()))
                .isEqualTo("s3a://bucket/wh/main/mon/trace_assessments_42");
    }

    @Test
    void hadoopSettingsReachTheTableStorageAndLocalTablesGetTheAtomicLogStore() {
        ServiceConfig config = config(
                "trace-monitor.hadoop.fs.s3a.endpoint", "http://minio:9000",
                "trace-monitor.hadoop.fs.s3a.path.style.access", "true",
                "trace-monitor.hadoop.fs.azure.account.auth.type", "OAuth");
        for (DeltaSinkConfig sink : new DeltaSinkConfig[] {config.traceLogsSinkConfig(),
                config.assessmentsSinkConfig()}) {
            Configuration hadoop = sink.hadoopConfiguration();
            assertThat(hadoop.get("fs.s3a.endpoint")).isEqualTo("http://minio:9000");
            assertThat(hadoop.get("fs.s3a.path.style.access")).isEqualTo("true");
            assertThat(hadoop.get("fs.azure.account.auth.type")).isEqualTo("OAuth");
            assertThat(hadoop.get(DeltaStorage.FILE_LOG_STORE_KEY)).isEqualTo(LocalAtomicLogStore.class.getName());
            assertThat(sink.effectiveConsumerProperties()).doesNotContainKey("fs.s3a.endpoint")
                    .doesNotContainKey("trace-monitor.hadoop.fs.s3a.endpoint");
        }
        ServiceConfig own = config("trace-monitor.hadoop." + DeltaStorage.FILE_LOG_STORE_KEY, "my.LogStore");
        assertThat(own.traceLogsSinkConfig().hadoopConfiguration().get(DeltaStorage.FILE_LOG_STORE_KEY))
                .as("a log store the operator configured is kept").isEqualTo("my.LogStore");
    }
}
