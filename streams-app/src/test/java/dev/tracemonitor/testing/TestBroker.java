package dev.tracemonitor.testing;

import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * The one way tests start a broker: a real single-node KRaft cluster in this JVM, with the replication settings one
 * broker needs. Close it when done.
 */
public final class TestBroker {

    private TestBroker() {
    }

    public static KafkaClusterTestKit start() throws Exception {
        return start(Map.of());
    }

    /** With extra broker settings, e.g. a lower {@code group.min.session.timeout.ms}. */
    public static KafkaClusterTestKit start(Map<String, String> brokerProps) throws Exception {
        return start(SecurityProtocol.PLAINTEXT, brokerProps);
    }

    /**
     * Listeners that require SASL/PLAIN, with the test kit's users ({@code JaasUtils.KAFKA_PLAIN_*}) and its ACL
     * authorizer: a principal without ACLs gets nowhere.
     */
    public static KafkaClusterTestKit startWithSasl() throws Exception {
        return start(SecurityProtocol.SASL_PLAINTEXT, Map.of());
    }

    private static KafkaClusterTestKit start(SecurityProtocol protocol, Map<String, String> brokerProps)
            throws Exception {
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
        KafkaClusterTestKit cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster;
    }
}
