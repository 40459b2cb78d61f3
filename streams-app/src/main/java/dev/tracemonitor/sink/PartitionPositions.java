package dev.tracemonitor.sink;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets half of the sink's exactly-once protocol (kafka-delta-ingest keeps it in its {@code offsets} module).
 * For each source partition: whether this sink owns it, the last offset it processed, and the version each table holds
 * of it under the transaction id {@code <group.id>-<topic>-<partition>} ({@link DeltaSinkConfig#appId}). From those
 * come the transaction ids of a commit and the versions it expects the table to hold (the fence against a zombie
 * writer), the baseline a table needs before its first rows of a partition, where an assigned partition resumes, and
 * the Kafka offsets that may be committed as a hint. Used on the sink thread only.
 */
final class PartitionPositions {

    /** Where a partition resumes: {@code offset} is the larger of the two positions, null when neither is known. */
    record Resume(Long offset, Long fromDelta, Long fromKafka) {
    }

    private final DeltaSinkConfig config;
    private final Set<Integer> assigned = new TreeSet<>();
    private final Map<Integer, Long> processed = new HashMap<>();
    private final Map<SinkTable, Map<Integer, Long>> tableVersions = new HashMap<>();

    PartitionPositions(DeltaSinkConfig config) {
        this.config = config;
    }

    void assign(Collection<Integer> partitions) {
        assigned.addAll(partitions);
    }

    /** Forgets partitions this sink no longer owns (revoked or lost). */
    void release(Collection<Integer> partitions) {
        for (int partition : partitions) {
            assigned.remove(partition);
            processed.remove(partition);
        }
    }

    Set<Integer> assigned() {
        return Collections.unmodifiableSet(assigned);
    }

    void processed(int partition, long offset) {
        processed.put(partition, offset);
    }

    /** Whether the table already holds the record at {@code offset} of the partition (so it is not written twice). */
    boolean holds(SinkTable table, int partition, long offset) {
        Long version = version(table, partition);
        return version != null && offset <= version;
    }

    /** Reads from the table's log the versions it holds of the given partitions. */
    void load(SinkTable table, Collection<Integer> partitions) {
        List<String> appIds = partitions.stream().map(config::appId).toList();
        Map<String, Long> versions = table.delta().transactionVersions(appIds);
        Map<Integer, Long> held = tableVersions.computeIfAbsent(table, t -> new HashMap<>());
        for (int partition : partitions) {
            Long version = versions.get(config.appId(partition));
            if (version == null) {
                held.remove(partition);
            } else {
                held.put(partition, version);
            }
        }
    }

    /** Forgets what every table holds, to be read again from the logs. */
    void forgetTableVersions() {
        tableVersions.clear();
    }

    /** The table now holds these versions (partition → offset), by a commit of this sink. */
    void committed(SinkTable table, Map<Integer, Long> versions) {
        tableVersions.computeIfAbsent(table, t -> new HashMap<>()).putAll(versions);
    }

    /**
     * For each partition with pending rows in the table that the table holds no version of: the offset just before the
     * partition's first pending row (the table holds every row of the partition up to there, as it holds none at all).
     */
    Map<Integer, Long> baseline(SinkTable table) {
        Map<Integer, Long> baseline = new TreeMap<>();
        table.firstPendingOffsets().forEach((partition, offset) -> {
            if (version(table, partition) == null) {
                baseline.put(partition, offset - 1);
            }
        });
        return baseline;
    }

    /** The versions of the table's next commit: each assigned partition's last processed offset, where it is new. */
    Map<Integer, Long> commitVersions(SinkTable table) {
        Map<Integer, Long> versions = new TreeMap<>();
        for (int partition : assigned) {
            Long position = processed.get(partition);
            Long held = version(table, partition);
            if (position != null && position >= 0 && (held == null || position > held)) {
                versions.put(partition, position);
            }
        }
        return versions;
    }

    Map<String, Long> transactionIds(Map<Integer, Long> versions) {
        Map<String, Long> ids = new TreeMap<>();
        versions.forEach((partition, version) -> ids.put(config.appId(partition), version));
        return ids;
    }

    /** What the table must still hold of these partitions for a commit to go through (null: no version at all). */
    Map<String, Long> expectedVersions(SinkTable table, Collection<Integer> partitions) {
        Map<String, Long> expected = new HashMap<>();
        partitions.forEach(partition -> expected.put(config.appId(partition), version(table, partition)));
        return expected;
    }

    /** The last processed offset of each partition now: what a flush started now commits, of every partition. */
    Map<Integer, Long> processedNow() {
        return Map.copyOf(processed);
    }

    /**
     * The group offsets to commit after a flush: after the last offset each assigned partition not in {@code dirty}
     * had processed when the flush started ({@link #processedNow}; the rows read since are in no table yet).
     */
    Map<TopicPartition, OffsetAndMetadata> kafkaOffsets(Map<Integer, Long> processedAtStart, Set<Integer> dirty) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int partition : assigned) {
            Long position = processedAtStart.get(partition);
            if (!dirty.contains(partition) && position != null && position >= 0) {
                offsets.put(new TopicPartition(config.topic(), partition), new OffsetAndMetadata(position + 1));
            }
        }
        return offsets;
    }

    /**
     * Where a partition resumes, after what the tables hold: the lowest version among the tables that hold the
     * partition, plus one. The group's Kafka offset (committed only once every table holds everything before it) is
     * used when it is further on, and alone when no table holds the partition. The partition's position becomes the
     * offset before it (none when neither is known: the consumer's {@code auto.offset.reset} decides).
     */
    Resume resume(int partition, OffsetAndMetadata kafkaOffset) {
        Long fromDelta = tableVersions.values().stream().map(held -> held.get(partition)).filter(Objects::nonNull)
                .min(Long::compare).map(v -> v + 1).orElse(null);
        Long fromKafka = kafkaOffset == null ? null : kafkaOffset.offset();
        Long target = fromDelta;
        if (target == null || (fromKafka != null && fromKafka > target)) {
            target = fromKafka;
        }
        if (target == null) {
            processed.remove(partition);
        } else {
            processed.put(partition, target - 1);
        }
        return new Resume(target, fromDelta, fromKafka);
    }

    private Long version(SinkTable table, int partition) {
        Map<Integer, Long> held = tableVersions.get(table);
        return held == null ? null : held.get(partition);
    }
}
