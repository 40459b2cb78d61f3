package dev.tracemonitor.service;

import dev.tracemonitor.topology.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the service's missing topics (compacted for monitor configs and statuses, ordinary for the rest) and checks
 * the compacted ones that exist: a broker that auto-created them gives them several partitions (config versions become
 * ambiguous) and {@code cleanup.policy=delete} (every monitor is deleted after the retention period).
 */
public final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);
    /** The brokers' default {@code message.max.bytes}: 1 MiB plus the record batch overhead. */
    public static final int KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

    private TopicCreator() {
    }

    /** Waits until the brokers' metadata shows every new topic with its partitions (Streams fails without them). */
    private static void awaitVisible(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Checks the existing compacted topics and that the topics that carry whole traces (traces-assessed, traces-dlq)
     * accept records of {@code traceRecordBytes}; when {@code create}, creates the missing topics so.
     *
     * @throws MisconfiguredTopicException naming the topic, what is wrong and the command that fixes it
     */
    public static void prepare(Map<String, Object> adminProps, Topics topics, boolean create, int partitions,
                               short replication, int traceRecordBytes) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get();
            String bootstrap = String.valueOf(adminProps.get("bootstrap.servers"));
            List<String> problems = new ArrayList<>();
            Map<String, Config> configs = describe(admin, topics, existing);
            problems.addAll(compactedProblems(admin, topics, configs, bootstrap));
            problems.addAll(sizeProblems(topics, configs, traceRecordBytes, bootstrap));
            if (!problems.isEmpty()) {
                throw new MisconfiguredTopicException(String.join("\n", problems));
            }
            if (create) {
                createMissing(admin, topics, existing, partitions, replication, traceRecordBytes);
            }
        }
    }

    /** The topic configs of the service's existing topics, without those the principal may not read (warned). */
    private static Map<String, Config> describe(Admin admin, Topics topics, Set<String> existing)
            throws InterruptedException, ExecutionException {
        List<String> present = topics.all().stream().filter(existing::contains).toList();
        Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(present.stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).values();
        Map<String, Config> configs = new HashMap<>();
        for (Map.Entry<ConfigResource, KafkaFuture<Config>> entry : futures.entrySet()) {
            try {
                configs.put(entry.getKey().name(), entry.getValue().get());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof AuthorizationException)) {
                    throw e;
                }
                LOG.warn("cannot check the config of topic {} (not authorized: {}); grant DescribeConfigs on it"
                        + " (deploy/create-topics.sh)", entry.getKey().name(), e.getCause().getMessage());
            }
        }
        return configs;
    }

    private static List<String> sizeProblems(Topics topics, Map<String, Config> configs, int traceRecordBytes,
                                             String bootstrap) {
        List<String> problems = new ArrayList<>();
        for (String topic : List.of(topics.assessed(), topics.dlq())) {
            Config config = configs.get(topic);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry != null && entry.value() != null && Long.parseLong(entry.value()) < traceRecordBytes) {
                problems.add("topic '" + topic + "' has max.message.bytes=" + entry.value() + "; a trace of"
                        + " trace-monitor.max.trace.bytes needs " + traceRecordBytes + " (or lower"
                        + " trace-monitor.max.trace.bytes): kafka-configs.sh --bootstrap-server " + bootstrap
                        + " --alter --entity-type topics --entity-name " + topic + " --add-config max.message.bytes="
                        + traceRecordBytes);
            }
        }
        return problems;
    }

    private static List<String> compactedProblems(Admin admin, Topics topics, Map<String, Config> configs,
                                                  String bootstrap) throws InterruptedException, ExecutionException {
        List<String> present = topics.compacted().stream().filter(configs::containsKey).toList();
        List<String> problems = new ArrayList<>();
        if (present.isEmpty()) {
            return problems;
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(present).allTopicNames().get();
        for (String topic : present) {
            int count = descriptions.get(topic).partitions().size();
            ConfigEntry policy = configs.get(topic).get(TopicConfig.CLEANUP_POLICY_CONFIG);
            String cleanup = policy == null ? TopicConfig.CLEANUP_POLICY_DELETE : policy.value();
            if (count != 1) {
                problems.add("topic '" + topic + "' has " + count + " partitions; it needs exactly 1 (one ordered log"
                        + " of config versions). Partitions cannot be removed: delete it and let the service create it"
                        + " (then publish the monitor configs again): kafka-topics.sh --bootstrap-server " + bootstrap
                        + " --delete --topic " + topic);
            }
            if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanup.replace(" ", ""))) {
                problems.add("topic '" + topic + "' has cleanup.policy=" + cleanup + "; it needs cleanup.policy=compact"
                        + " (with delete, every monitor disappears after the retention period): kafka-configs.sh"
                        + " --bootstrap-server " + bootstrap + " --alter --entity-type topics --entity-name " + topic
                        + " --add-config cleanup.policy=compact");
            }
        }
        return problems;
    }

    private static void createMissing(Admin admin, Topics topics, Set<String> existing, int partitions,
                                      short replication, int traceRecordBytes)
            throws InterruptedException, ExecutionException {
        List<NewTopic> missing = new ArrayList<>();
        Optional<Short> rf = replication < 0 ? Optional.empty() : Optional.of(replication);
        for (String topic : topics.all()) {
            if (existing.contains(topic)) {
                continue;
            }
            NewTopic newTopic = new NewTopic(topic, Optional.of(topics.compacted().contains(topic) ? 1 : partitions), rf);
            if (topics.compacted().contains(topic)) {
                newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            } else if (traceRecordBytes > KAFKA_DEFAULT_MAX_MESSAGE_BYTES
                    && (topic.equals(topics.assessed()) || topic.equals(topics.dlq()))) {
                newTopic.configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(traceRecordBytes)));
            }
            missing.add(newTopic);
        }
        if (!missing.isEmpty()) {
            LOG.info("creating topics {}", missing.stream().map(NewTopic::name).toList());
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
            }
            awaitVisible(admin, missing.stream().map(NewTopic::name).toList());
        }
    }
}
