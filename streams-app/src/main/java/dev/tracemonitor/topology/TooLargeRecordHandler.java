package dev.tracemonitor.topology;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line behind the trace limit ({@link DecodeProcessor}): a record the producer still refuses as too large
 * (a trace under the limit whose assessments pushed it over, a topic with a lower {@code max.message.bytes}) is
 * skipped with an error naming its topic, size and source offset — the stream goes on — rather than failing the
 * stream thread on the same record forever. Every other production error fails as by default. Kafka Streams counts
 * the skipped records in its {@code dropped-records} metric.
 */
public final class TooLargeRecordHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(TooLargeRecordHandler.class);

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                                     Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            LOG.error("skipping a record of {} bytes for {} (from {}-{}@{}): {}; raise trace-monitor.max.trace.bytes"
                            + " headroom or the topic's max.message.bytes (README, Large traces)",
                    (record.value() == null ? 0 : record.value().length) + (record.key() == null ? 0 : record.key().length),
                    record.topic(), context.topic(), context.partition(), context.offset(), exception.getMessage());
            return ProductionExceptionHandlerResponse.CONTINUE;
        }
        return ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
