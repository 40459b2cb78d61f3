package dev.tracemonitor.service;

import dev.tracemonitor.topology.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the service's missing topics: compacted for monitor configs and statuses, ordinary for the rest. */
public final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

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

    public static void createMissing(Map<String, Object> adminProps, Topics topics, int partitions, short replication)
            throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            Optional<Short> rf = replication < 0 ? Optional.empty() : Optional.of(replication);
            for (String topic : topics.all()) {
                if (existing.contains(topic)) {
                    continue;
                }
                NewTopic newTopic = new NewTopic(topic, Optional.of(topics.compacted().contains(topic) ? 1 : partitions), rf);
                if (topics.compacted().contains(topic)) {
                    newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
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
}
