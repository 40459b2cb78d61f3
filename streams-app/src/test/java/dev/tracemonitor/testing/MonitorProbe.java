package dev.tracemonitor.testing;

import static org.awaitility.Awaitility.await;

import dev.tracemonitor.model.Assessment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes a monitor and sends probe traces of it, one a second, until one is judged: from then on the monitor is in
 * force, and a test's traces sent after it are all judged under it.
 */
public final class MonitorProbe {

    /** Sends one probe trace of the monitor's experiment with this trace id. */
    @FunctionalInterface
    public interface ProbeSender {
        void send(String traceId) throws Exception;
    }

    private MonitorProbe() {
    }

    /** The probe trace ids sent ({@code probe-0}, {@code probe-1}, ...), once one of them has feedback. */
    public static List<String> publishAndAwaitJudged(KafkaProducer<String, byte[]> producer, String monitorTopic,
                                                     String experimentId, String monitorJson,
                                                     TopicCollector<Assessment> feedback, ProbeSender probe)
            throws Exception {
        producer.send(new ProducerRecord<>(monitorTopic, experimentId, monitorJson.getBytes(StandardCharsets.UTF_8)))
                .get();
        List<String> probes = new ArrayList<>();
        await().pollInterval(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(60)).until(() -> {
            String id = "probe-" + probes.size();
            probes.add(id);
            probe.send(id);
            return probes.stream().anyMatch(sent -> !feedback.get(sent).isEmpty());
        });
        return probes;
    }
}
