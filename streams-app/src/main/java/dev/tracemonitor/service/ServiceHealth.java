package dev.tracemonitor.service;

import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether the process is alive (a restart would not help) and ready (it processes traces), as served on
 * {@code /health/live} and {@code /health/ready}.
 *
 * <ul>
 *   <li>live: the Kafka Streams topology, if this process runs it, is not in {@code ERROR}, {@code PENDING_ERROR} or
 *   (once started) {@code NOT_RUNNING}, and the sink thread, if this process runs the sink, is alive. Starting,
 *   rebalancing and shutting down are live.</li>
 *   <li>ready: started, not shutting down, Kafka Streams {@code RUNNING} and the sink thread alive.</li>
 * </ul>
 *
 * @param streamsState null when this process does not run the topology
 * @param sinkRunning  null when this process does not run the sink
 */
public record ServiceHealth(boolean live, boolean ready, String phase, KafkaStreams.State streamsState,
                            Boolean sinkRunning) {

    private static final Set<KafkaStreams.State> DEAD = EnumSet.of(KafkaStreams.State.ERROR,
            KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING);

    static ServiceHealth of(boolean started, boolean closing, KafkaStreams.State streams, Boolean sinkRunning) {
        String phase = closing ? "stopping" : started ? "started" : "starting";
        if (closing || !started) {
            return new ServiceHealth(true, false, phase, streams, sinkRunning);
        }
        boolean streamsLive = streams == null || !DEAD.contains(streams);
        boolean sinkLive = sinkRunning == null || sinkRunning;
        boolean ready = streamsLive && sinkLive && (streams == null || streams == KafkaStreams.State.RUNNING);
        return new ServiceHealth(streamsLive && sinkLive, ready, phase, streams, sinkRunning);
    }

    /** A small JSON document for the health endpoints. */
    public String toJson() {
        StringBuilder json = new StringBuilder("{\"live\":").append(live).append(",\"ready\":").append(ready)
                .append(",\"phase\":\"").append(phase).append('"');
        if (streamsState != null) {
            json.append(",\"streams\":\"").append(streamsState).append('"');
        }
        if (sinkRunning != null) {
            json.append(",\"sink\":\"").append(sinkRunning ? "running" : "stopped").append('"');
        }
        return json.append('}').toString();
    }
}
