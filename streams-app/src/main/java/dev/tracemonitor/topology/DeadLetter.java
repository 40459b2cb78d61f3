package dev.tracemonitor.topology;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.serde.DeadLetters;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a record to the dead-letter sink with the reason and where it came from, logs and counts it: the one way
 * the processors of the topology dead-letter.
 */
record DeadLetter(String stage, String topic, int partition, long offset) {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetter.class);

    /** The record being processed: its topic, partition and offset. */
    static DeadLetter of(ProcessorContext<?, ?> context, String stage) {
        return context.recordMetadata()
                .map(m -> new DeadLetter(stage, m.topic(), m.partition(), m.offset()))
                .orElse(new DeadLetter(stage, "unknown", -1, -1));
    }

    void forward(ProcessorContext<Object, Object> context, TraceMonitorMetrics metrics, byte[] key, byte[] value,
                 long timestamp, Headers original, String reason, String kind) {
        LOG.warn("dead-lettering record {}: {}", this, reason);
        metrics.deadLettered(kind);
        context.forward(new Record<Object, Object>(key, value, timestamp,
                DeadLetters.headers(original, stage, reason, topic, partition, offset)), TraceMonitorTopology.DLQ_SINK);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
