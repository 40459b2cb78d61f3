package dev.tracemonitor.testing;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one way tests start a broker: a real single-node KRaft cluster in this JVM, with the replication settings one
 * broker needs, started before a test class's {@code @BeforeAll} methods and closed after its {@code @AfterAll} ones:
 * {@code @RegisterExtension static final TestBroker broker = TestBroker.plaintext();}.
 */
public final class TestBroker implements BeforeAllCallback, AfterAllCallback {

    private final SecurityProtocol protocol;
    private final Map<String, String> brokerProps;
    private KafkaClusterTestKit cluster;

    private TestBroker(SecurityProtocol protocol, Map<String, String> brokerProps) {
        this.protocol = protocol;
        this.brokerProps = Map.copyOf(brokerProps);
    }

    public static TestBroker plaintext() {
        return withSettings(Map.of());
    }

    /** With extra broker settings, e.g. a lower {@code group.min.session.timeout.ms}. */
    public static TestBroker withSettings(Map<String, String> brokerProps) {
        return new TestBroker(SecurityProtocol.PLAINTEXT, brokerProps);
    }

    /**
     * For tests that kill service JVMs and start them again: one offsets and one transaction-state partition, and a
     * low minimum session timeout, so that a killed child's group members expire fast and the restarted one gets the
     * partitions.
     */
    public static TestBroker forKilledChildren() {
        return withSettings(Map.of("offsets.topic.num.partitions", "1", "transaction.state.log.num.partitions", "1",
                "group.min.session.timeout.ms", "1000"));
    }

    /**
     * Listeners that require SASL/PLAIN, with the test kit's users ({@code JaasUtils.KAFKA_PLAIN_*}) and its ACL
     * authorizer: a principal without ACLs gets nowhere.
     */
    public static TestBroker sasl() {
        return new TestBroker(SecurityProtocol.SASL_PLAINTEXT, Map.of());
    }

    public String bootstrapServers() {
        return cluster().bootstrapServers();
    }

    /** Client settings that reach the broker (bootstrap servers, and its security settings). */
    public Properties clientProperties() {
        return cluster().clientProperties();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        TestKitNodes.Builder nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1);
        if (protocol != SecurityProtocol.PLAINTEXT) {
            // the controller listener too: with the test kit's ACL authorizer, an anonymous controller connection
            // could not register the node
            nodes.setBrokerSecurityProtocol(protocol).setControllerSecurityProtocol(protocol);
        }
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0");
        brokerProps.forEach(builder::setConfigProp);
        KafkaClusterTestKit started = builder.build();
        cluster = started;
        started.format();
        started.startup();
        started.waitForReadyBrokers();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private KafkaClusterTestKit cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the broker runs from before @BeforeAll to after @AfterAll");
        }
        return cluster;
    }
}
