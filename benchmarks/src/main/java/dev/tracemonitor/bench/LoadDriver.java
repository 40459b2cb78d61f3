package dev.tracemonitor.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Produces synthetic traces from a {@link TraceCorpus} into a topic, flat out or at a fixed rate, and remembers when
 * each was handed to the producer (for feedback latency) when asked to.
 */
public final class LoadDriver {

    /** What a run produced: records, well-formed ones, bytes, and the wall-clock times of the first and last send. */
    public record Result(long records, long wellFormed, long bytes, long firstSendMillis, long doneMillis) {
        public double recordsPerSecond() {
            return records * 1000.0 / Math.max(1, doneMillis - firstSendMillis);
        }
    }

    private final TraceCorpus corpus;
    private final Map<String, Long> sendNanos = new ConcurrentHashMap<>();
    private long nextSequence;

    public LoadDriver(TraceCorpus corpus) {
        this.corpus = corpus;
    }

    /** The System.nanoTime() at which each trace id was sent, for runs with {@code remember} set. */
    public Map<String, Long> sendNanos() {
        return sendNanos;
    }

    /**
     * Sends {@code count} records; {@code perSecond} ≤ 0 sends flat out. {@code headers} (may be null) go on every
     * record. Returns once every record is acknowledged.
     */
    public Result produce(KafkaProducer<byte[], byte[]> producer, String topic, long count, double perSecond,
                          RecordHeaders headers, boolean remember) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long wellFormed = 0;
        long bytes = 0;
        long startNanos = System.nanoTime();
        long firstSend = System.currentTimeMillis();
        for (long i = 0; i < count; i++) {
            if (perSecond > 0) {
                long due = startNanos + (long) (i * 1e9 / perSecond);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            TraceCorpus.Record record = corpus.record(nextSequence++);
            if (record.wellFormed()) {
                wellFormed++;
            }
            bytes += record.value().length;
            if (remember) {
                sendNanos.put(record.traceId(), System.nanoTime());
            }
            producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers), (meta, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            if (failure.get() != null) {
                throw failure.get();
            }
        }
        producer.flush();
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Result(count, wellFormed, bytes, firstSend, System.currentTimeMillis());
    }
}
