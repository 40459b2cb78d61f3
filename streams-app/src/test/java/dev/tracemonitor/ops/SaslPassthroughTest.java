package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.service.TopicCreator;
import dev.tracemonitor.service.TraceMonitorService;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.ScriptedJudgeBackend;
import dev.tracemonitor.testing.TestBroker;
import dev.tracemonitor.testing.TopicReader;
import dev.tracemonitor.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.test.JaasUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service against a broker that requires SASL/PLAIN and authorizes with ACLs (no ACL, no access): security is
 * configured only with pass-through Kafka settings ({@code security.protocol}, {@code sasl.mechanism},
 * {@code sasl.jaas.config}), and the service principal holds only the ACLs that {@code deploy/create-topics.sh} lists.
 * Every trace reaches the Delta table.
 */
class SaslPassthroughTest {

    private static final int TRACES = 60;
    private static final int MALFORMED = 3;
    private static final String SERVICE_USER = JaasUtils.KAFKA_PLAIN_USER1;

    @RegisterExtension
    static final TestBroker broker = TestBroker.sasl();

    @TempDir
    static Path dir;

    @Test
    void serviceRunsEndToEndOnASaslBrokerWithOnlyPassThroughSecuritySettingsAndTheDocumentedAcls() throws Exception {
        Topics topics = Topics.defaults();
        Map<String, Object> admin = sasl(JaasUtils.KAFKA_PLAIN_ADMIN, JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD);

        // the listener really requires SASL: a plaintext client gets nowhere
        try (Admin plain = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
            assertThatThrownBy(() -> plain.listTopics().names().get()).isInstanceOf(ExecutionException.class);
        }

        // the operator's part, as deploy/create-topics.sh describes it: topics, then the service principal's ACLs
        TopicCreator.prepare(admin, topics, true, 3, (short) -1,
                TopicCreator.KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(
                    new NewTopic(ServiceConfig.DEFAULT_ALERTS_TOPIC, 1, (short) -1)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                    new NewTopic(ServiceConfig.DEFAULT_BUDGET_TOPIC, 1, (short) -1)
                            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "172800000")))).all().get();
            a.createAcls(serviceAcls("User:" + SERVICE_USER, "trace-monitor", "trace-monitor-delta-sink", topics))
                    .all().get();
        }

        Properties props = new Properties();
        props.put(ServiceConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", jaas(SERVICE_USER, JaasUtils.KAFKA_PLAIN_USER1_PASSWORD));
        props.put(ServiceConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(ServiceConfig.WAREHOUSE_CONFIG, dir.resolve("warehouse").toString());
        props.put(ServiceConfig.FLUSH_INTERVAL_CONFIG, "PT1S");
        props.put(ServiceConfig.TOPIC_CREATE_CONFIG, "false");
        ServiceConfig config = ServiceConfig.of(props);
        assertThat(config.kafkaProperties()).containsKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config");

        List<DemoRecord> records = new DemoTraces(31, "42", 1_750_000_000_000L).generate(TRACES, MALFORMED);
        TraceMonitorMetrics metrics = TraceMonitorMetrics.inMemory();
        try (TraceMonitorService service = new TraceMonitorService(config, new ScriptedJudgeBackend(), metrics)) {
            service.start();
            OpsTestKit.publishMonitor(admin, topics.monitorConfig(), topics.monitorStatus());
            OpsTestKit.produce(admin, topics.traces(), records);
            await().atMost(Duration.ofMinutes(2)).until(() -> service.sink().stats().rowsCommitted() >= TRACES);
            assertThat(service.health().ready()).isTrue();
        }

        String table = SinkTableKind.TRACE_LOGS.path(new TableAddress("main", "ops", "42"),
                dir.resolve("warehouse").toString());
        DeltaTableStats stats = OpsTestKit.table(table).orElseThrow();
        assertThat(stats.rows()).isEqualTo(TRACES);
        assertThat(stats.traceIds()).containsExactlyInAnyOrderElementsOf(
                records.stream().filter(DemoRecord::wellFormed).map(DemoRecord::key).toList());
        assertThat(TopicReader.readToEnd(admin, topics.dlq(), MALFORMED)).hasSize(MALFORMED);
        assertThat(metrics.count("traces.in")).isEqualTo(TRACES + MALFORMED);
    }

    /** The ACLs of the service principal, exactly as listed in deploy/create-topics.sh. */
    static List<AclBinding> serviceAcls(String principal, String applicationId, String sinkGroup, Topics topics) {
        List<AclBinding> acls = new ArrayList<>();
        for (String topic : List.of(topics.traces(), topics.monitorConfig(), topics.monitorStatus(), topics.assessed(),
                topics.feedback(), ServiceConfig.DEFAULT_ALERTS_TOPIC, ServiceConfig.DEFAULT_BUDGET_TOPIC)) {
            acls.add(acl(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
        }
        for (String topic : List.of(topics.feedback(), topics.assessed(), topics.dlq(), topics.monitorStatus(),
                ServiceConfig.DEFAULT_ALERTS_TOPIC, ServiceConfig.DEFAULT_BUDGET_TOPIC)) {
            acls.add(acl(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
        }
        for (String topic : List.of(topics.monitorConfig(), topics.monitorStatus(), topics.assessed(), topics.dlq())) {
            acls.add(acl(principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS));
        }
        acls.add(acl(principal, ResourceType.TOPIC, applicationId, PatternType.PREFIXED, AclOperation.ALL));
        acls.add(acl(principal, ResourceType.GROUP, applicationId, PatternType.LITERAL, AclOperation.READ));
        acls.add(acl(principal, ResourceType.GROUP, sinkGroup, PatternType.LITERAL, AclOperation.READ));
        acls.add(acl(principal, ResourceType.GROUP, sinkGroup + "-assessments", PatternType.LITERAL, AclOperation.READ));
        acls.add(acl(principal, ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED, AclOperation.WRITE));
        acls.add(acl(principal, ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED,
                AclOperation.DESCRIBE));
        return acls;
    }

    private static AclBinding acl(String principal, ResourceType type, String name, PatternType pattern,
                                  AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    private static Map<String, Object> sasl(String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", jaas(user, password));
        return props;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}
