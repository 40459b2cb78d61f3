package dev.tracemonitor.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until a consumer group has committed the records of some topics, all but at most the last of each partition
 * (which, on a topic written transactionally, is the commit marker a Streams app does not commit past).
 */
public final class ConsumedOffsets {

    private ConsumedOffsets() {
    }

    public static void awaitCommitted(Properties clientProperties, String group, String... topics) {
        try (Admin admin = Admin.create(clientProperties)) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> consumedAll(admin, group, List.of(topics)));
        }
    }

    private static boolean consumedAll(Admin admin, String group, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((name, description) ->
                description.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()),
                        OffsetSpec.latest())));
        var ends = admin.listOffsets(latest).all().get();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        for (var end : ends.entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            long need = end.getValue().offset();
            if (need > 0 && (done == null || done.offset() < need - 1)) {
                return false;
            }
        }
        return true;
    }
}
