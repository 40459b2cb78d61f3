package dev.tracemonitor.topology;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.serde.SchemaRegistryException;
import dev.tracemonitor.serde.SchemaRegistryUnavailableException;
import dev.tracemonitor.serde.TraceDecoder;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes traces (MLflow JSON, or Avro in the Confluent framing), keeping a JSON value that can be forwarded as it
 * is. A record that cannot be a trace goes, unchanged, to the dead-letter topic with headers
 * giving the reason and its source topic/partition/offset; the stream goes on.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(DecodeProcessor.class);

    private final TraceDecoder decoder;
    private final TraceMonitorMetrics metrics;
    private ProcessorContext<Object, Object> context;

    DecodeProcessor(TraceDecoder decoder, TraceMonitorMetrics metrics) {
        this.decoder = decoder;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.traceIn();
        ReceivedTrace received;
        try {
            received = decoder.decodeReceived(context.recordMetadata().map(RecordMetadata::topic).orElse(""),
                    record.value());
        } catch (InvalidTraceException e) {
            deadLetter(record, e.getMessage(), "invalid_trace");
            return;
        } catch (SchemaRegistryUnavailableException e) {
            deadLetter(record, "schema registry unavailable after retries: " + e.getMessage(), "registry_unavailable");
            return;
        } catch (SchemaRegistryException e) {
            deadLetter(record, "schema registry refused: " + e.getMessage(), "registry_error");
            return;
        } catch (RuntimeException e) {
            deadLetter(record, "undecodable: " + e, "undecodable");
            return;
        }
        context.forward(new Record<>(received.trace().traceId(), received, record.timestamp()),
                TraceMonitorTopology.ROUTE);
    }

    private void deadLetter(Record<byte[], byte[]> record, String reason, String kind) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String topic = meta == null ? "unknown" : meta.topic();
        int partition = meta == null ? -1 : meta.partition();
        long offset = meta == null ? -1 : meta.offset();
        LOG.warn("dead-lettering record {}-{}@{}: {}", topic, partition, offset, reason);
        metrics.deadLettered(kind);
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(),
                DeadLetters.headers(record.headers(), "decode", reason, topic, partition, offset)),
                TraceMonitorTopology.DLQ_SINK);
    }
}
