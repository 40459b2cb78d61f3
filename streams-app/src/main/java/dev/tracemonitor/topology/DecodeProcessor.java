package dev.tracemonitor.topology;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.serde.DeadLetters;
import dev.tracemonitor.serde.SchemaRegistryException;
import dev.tracemonitor.serde.SchemaRegistryUnavailableException;
import dev.tracemonitor.serde.TraceDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes traces (MLflow JSON, or Avro in the Confluent framing), keeping a JSON value that can be forwarded as it
 * is. A record that cannot be a trace, or whose trace names no experiment, goes, unchanged, to the dead-letter topic
 * with headers
 * giving the reason and its source topic/partition/offset; the stream goes on. A record larger than the trace limit
 * is not decoded at all: its copies (the scoring store's changelog, traces-assessed, the dead-letter topic) would not
 * fit in what the producer may send, and under exactly-once a failed send aborts the task's transaction again and
 * again. It is dead-lettered as a small error record naming its size and source offset; the record itself stays in the
 * input topic.
 *
 * <p>A schema registry that cannot be reached says nothing about the record, so an Avro trace is not dead-lettered
 * for it: decoding is tried again with capped backoff for up to the outage wait (kept below the consumer's
 * {@code max.poll.interval.ms}, so that the group does not evict the member meanwhile); past it a
 * {@link RegistryOutageException} fails the stream thread, which is replaced and reads the record again from the last
 * commit. A registry that answers with a refusal (unknown schema id, bad credentials) still dead-letters.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(DecodeProcessor.class);
    /** Why a trace that names no experiment is malformed: no monitor can ever apply to it and no table hold it. */
    static final String NO_EXPERIMENT = "the trace names no experiment: info.trace_location.mlflow_experiment"
            + ".experiment_id (MLflow 2: info.experiment_id) is missing, null or empty";

    static final String STAGE = "decode";
    static final Duration FIRST_OUTAGE_PAUSE = Duration.ofMillis(500);
    static final Duration MAX_OUTAGE_PAUSE = Duration.ofSeconds(10);

    private final TraceDecoder decoder;
    private final TraceMonitorMetrics metrics;
    private final int maxTraceBytes;
    private final Duration outageWait;
    private ProcessorContext<Object, Object> context;

    DecodeProcessor(TraceDecoder decoder, TraceMonitorMetrics metrics, int maxTraceBytes, Duration outageWait) {
        this.decoder = decoder;
        this.metrics = metrics;
        this.maxTraceBytes = maxTraceBytes;
        this.outageWait = outageWait;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.traceIn();
        long size = size(record);
        if (size > maxTraceBytes) {
            deadLetterTooLarge(record, size);
            return;
        }
        ReceivedTrace received;
        try {
            received = decodeWaitingOutOutages(record);
        } catch (InvalidTraceException e) {
            deadLetter(record, e.getMessage(), "invalid_trace");
            return;
        } catch (SchemaRegistryException e) {
            deadLetter(record, "schema registry refused: " + e.getMessage(), "registry_error");
            return;
        } catch (RegistryOutageException e) {
            throw e;
        } catch (RuntimeException e) {
            deadLetter(record, "undecodable: " + e, "undecodable");
            return;
        }
        String experimentId = received.trace().info().experimentId();
        if (experimentId == null || experimentId.isBlank()) {
            deadLetter(record, NO_EXPERIMENT, "no_experiment");
            return;
        }
        context.forward(new Record<>(received.trace().traceId(), received, record.timestamp()),
                TraceMonitorTopology.ROUTE);
    }

    private ReceivedTrace decodeWaitingOutOutages(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        long deadline = System.nanoTime() + outageWait.toNanos();
        Duration pause = FIRST_OUTAGE_PAUSE;
        while (true) {
            try {
                return decoder.decodeReceived(topic, record.value());
            } catch (SchemaRegistryUnavailableException e) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RegistryOutageException("the schema registry was unavailable for longer than "
                            + outageWait + " while decoding " + DeadLetter.of(context, STAGE) + "; the stream thread is replaced and the record"
                            + " read again", e);
                }
                long millis = Math.min(pause.toMillis(), Math.max(1, left / 1_000_000));
                LOG.warn("schema registry unavailable decoding {}; waiting {} ms: {}", DeadLetter.of(context, STAGE), millis,
                        e.getMessage());
                metrics.registryOutageWait();
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new RegistryOutageException("interrupted waiting out a schema registry outage", e);
                }
                pause = pause.multipliedBy(2).compareTo(MAX_OUTAGE_PAUSE) > 0 ? MAX_OUTAGE_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    private static long size(Record<byte[], byte[]> record) {
        long size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private void deadLetterTooLarge(Record<byte[], byte[]> record, long size) {
        DeadLetter source = DeadLetter.of(context, STAGE);
        String reason = "record of " + size + " bytes (key, value and headers) exceeds the trace limit of "
                + maxTraceBytes + " bytes; it stays in " + source.topic() + " at partition " + source.partition()
                + " offset " + source.offset();
        ObjectNode stub = Json.MAPPER.createObjectNode()
                .put("error", DeadLetters.TOO_LARGE_ERROR)
                .put("size_bytes", size)
                .put("limit_bytes", maxTraceBytes)
                .put("topic", source.topic())
                .put("partition", source.partition())
                .put("offset", source.offset());
        forwardDeadLetter(new Record<byte[], byte[]>(null, stub.toString().getBytes(StandardCharsets.UTF_8),
                record.timestamp()), source, reason, "too_large");
    }

    private void deadLetter(Record<byte[], byte[]> record, String reason, String kind) {
        forwardDeadLetter(record, DeadLetter.of(context, STAGE), reason, kind);
    }

    private void forwardDeadLetter(Record<byte[], byte[]> record, DeadLetter source, String reason, String kind) {
        source.forward(context, metrics, record.key(), record.value(), record.timestamp(), record.headers(), reason,
                kind);
    }
}
