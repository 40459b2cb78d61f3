package dev.tracemonitor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compacted topics that exist but are wrong — as a broker with {@code auto.create.topics.enable} makes them when an
 * operator publishes a config before the first start — stop the service at start with the topic, what is wrong and the
 * command that fixes it. Each test uses topics of its own names on one broker.
 */
class TopicChecksTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.plaintext();

    @TempDir
    Path dir;

    @Test
    void anAutoCreatedConfigTopicWithThreePartitionsAndDeletePolicyStopsTheStartNamingBothFixes() throws Exception {
        create(new NewTopic("auto-config", Optional.of(3), Optional.empty()));
        ServiceConfig config = config("auto", "auto-config", "auto-status");

        StringWriter out = new StringWriter();
        int exit = ServiceProcess.run(config, new ScriptedJudgeBackend(), new PrintWriter(out), new CountDownLatch(0));

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString())
                .contains("topic 'auto-config' has 3 partitions; it needs exactly 1")
                .contains("kafka-topics.sh --bootstrap-server " + broker.bootstrapServers() + " --delete --topic auto-config")
                .contains("topic 'auto-config' has cleanup.policy=delete; it needs cleanup.policy=compact")
                .contains("kafka-configs.sh --bootstrap-server " + broker.bootstrapServers()
                        + " --alter --entity-type topics --entity-name auto-config --add-config cleanup.policy=compact")
                .doesNotContain("'auto-status'");
    }

    @Test
    void aStatusTopicWithOnePartitionButCompactAndDeleteIsRefusedToo() throws Exception {
        create(new NewTopic("mixed-status", Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete")));
        ServiceConfig config = config("mixed", "mixed-config", "mixed-status");

        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory())) {
            assertThatThrownBy(service::start).isInstanceOf(MisconfiguredTopicException.class)
                    .hasMessageContaining("topic 'mixed-status' has cleanup.policy=compact,delete")
                    .hasMessageNotContaining("partitions");
        }
    }

    @Test
    void anAssessedTopicThatCannotHoldATraceOfTheLimitStopsTheStart() throws Exception {
        create(new NewTopic("small-assessed", Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "500000")));
        ServiceConfig config = config("small", "small-config", "small-status");

        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(),
                TraceMonitorMetrics.inMemory())) {
            assertThatThrownBy(service::start).isInstanceOf(MisconfiguredTopicException.class)
                    .hasMessageContaining("topic 'small-assessed' has max.message.bytes=500000; a trace of"
                            + " trace-monitor.max.trace.bytes needs 1048576")
                    .hasMessageContaining("--entity-name small-assessed --add-config max.message.bytes=1048576");
        }
    }

    @Test
    void correctlyConfiguredExistingTopicsPass() throws Exception {
        create(new NewTopic("good-config", Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        ServiceConfig config = config("good", "good-config", "good-status");

        TopicCreator.prepare(config.kafkaProperties(), config.topics(), true, 1, (short) -1,
                TopicCreator.KAFKA_DEFAULT_MAX_MESSAGE_BYTES);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains("good-config", "good-status", "good-traces");
        }
    }

    private ServiceConfig config(String prefix, String configTopic, String statusTopic) {
        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.HTTP_PORT_CONFIG, "-1");
        props.put(ServiceConfig.APPLICATION_ID_CONFIG, prefix + "-app");
        props.put(ServiceConfig.TOPIC_MONITOR_CONFIG_CONFIG, configTopic);
        props.put(ServiceConfig.TOPIC_MONITOR_STATUS_CONFIG, statusTopic);
        props.put(ServiceConfig.TOPIC_TRACES_CONFIG, prefix + "-traces");
        props.put(ServiceConfig.TOPIC_FEEDBACK_CONFIG, prefix + "-feedback");
        props.put(ServiceConfig.TOPIC_ASSESSED_CONFIG, prefix + "-assessed");
        props.put(ServiceConfig.TOPIC_DLQ_CONFIG, prefix + "-dlq");
        return ServiceConfig.of(props);
    }

    private static void create(NewTopic topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(topic)).all().get();
        }
    }
}
