package dev.tracemonitor.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.otlp.OtlpBatches;
import dev.tracemonitor.otlp.OtlpTraces;
import dev.tracemonitor.serde.TraceJsonCodec;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Holds the OTLP spans of each trace, arriving keyed by trace id in any order and in any number of parts, until the
 * trace is whole, then emits it as one MLflow trace into the pipeline where decoded traces enter it. A trace is whole
 * when its root span has come (exporters send a span once it has ended) and no span has come for the quiet period;
 * one whose root never comes is emitted anyway once it has been held for the maximum wait. Both are judged on the
 * wall clock by a punctuator, so a trace is emitted even when no more records come.
 *
 * <p>What is held is in two changelogged stores, so that a restart on any instance goes on where the last commit
 * left it (times are the wall clock's, so the waits span the restart): {@value TraceMonitorTopology#OTLP_HELD_STORE},
 * a small entry per trace (first and last arrival, whether the root has come, parts, spans and bytes held), over which
 * the punctuator runs; and {@value TraceMonitorTopology#OTLP_PARTS_STORE}, each part as it arrived, under
 * {@code <trace id>/<part number>}. Once emitted, a trace's entry becomes a marker kept for the maximum wait: spans of
 * the trace that come meanwhile are dead-lettered as late (reason names the trace), not emitted as a second trace.
 *
 * <p>Bounded: a trace holds at most the configured number of spans and the trace limit's bytes. A part that would
 * take it over is dead-lettered with the reason and the trace is emitted with what it holds; a part over the bounds on
 * its own is dead-lettered. A trace whose spans name no experiment, or whose MLflow JSON exceeds the trace limit, is
 * dead-lettered (its merged spans as OTLP protobuf, or a small error record when too large).
 */
final class SpanAssemblyProcessor implements Processor<String, byte[], Object, Object> {

    static final String STAGE = "otlp-assemble";
    private static final Duration MAX_PUNCTUATION_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MIN_PUNCTUATION_INTERVAL = Duration.ofMillis(50);

    /** A held trace's entry, or the marker of an emitted one ({@code emittedAt} set). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Held(@JsonProperty("first_seen") long firstSeen, @JsonProperty("last_seen") long lastSeen,
                @JsonProperty("root_seen") boolean rootSeen, @JsonProperty("parts") int parts,
                @JsonProperty("spans") int spans, @JsonProperty("bytes") long bytes,
                @JsonProperty("emitted_at") Long emittedAt) {

        Held arrived(long now, ExportTraceServiceRequest part, int partSpans, int partBytes) {
            return new Held(firstSeen, now, rootSeen || OtlpBatches.hasRoot(part), parts + 1, spans + partSpans,
                    bytes + partBytes, null);
        }

        boolean emitted() {
            return emittedAt != null;
        }
    }

    private final OtlpSettings settings;
    private final OtlpTraces converter;
    private final TraceMonitorMetrics metrics;
    private final int maxTraceBytes;
    private final String spansTopic;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, byte[]> held;
    private KeyValueStore<String, byte[]> parts;

    SpanAssemblyProcessor(OtlpSettings settings, TraceMonitorMetrics metrics, int maxTraceBytes, String spansTopic) {
        this.settings = settings;
        this.spansTopic = spansTopic;
        this.converter = new OtlpTraces(settings.experiments());
        this.metrics = metrics;
        this.maxTraceBytes = maxTraceBytes;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.held = context.getStateStore(TraceMonitorTopology.OTLP_HELD_STORE);
        this.parts = context.getStateStore(TraceMonitorTopology.OTLP_PARTS_STORE);
        Duration interval = settings.quietPeriod().dividedBy(2);
        interval = interval.compareTo(MAX_PUNCTUATION_INTERVAL) > 0 ? MAX_PUNCTUATION_INTERVAL
                : interval.compareTo(MIN_PUNCTUATION_INTERVAL) < 0 ? MIN_PUNCTUATION_INTERVAL : interval;
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::emitDue);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String traceId = record.key();
        ExportTraceServiceRequest part = OtlpBatches.merge(List.of(record.value()));
        int partSpans = OtlpBatches.spanCount(part);
        long now = context.currentSystemTimeMs();
        Held entry = read(traceId);
        if (entry != null && entry.emitted()) {
            deadLetter(record, "late: " + partSpans + " span(s) of trace " + OtlpTraces.TRACE_ID_PREFIX + traceId
                    + " arrived after the trace was emitted", "otlp_late");
            return;
        }
        if (entry == null) {
            entry = new Held(now, now, false, 0, 0, 0, null);
        }
        if (entry.spans() + partSpans > settings.maxSpans() || entry.bytes() + record.value().length > maxTraceBytes) {
            String bound = "trace " + OtlpTraces.TRACE_ID_PREFIX + traceId + " would hold " + (entry.spans() + partSpans)
                    + " spans and " + (entry.bytes() + record.value().length) + " bytes, over the limits of "
                    + settings.maxSpans() + " spans and " + maxTraceBytes + " bytes";
            if (entry.parts() == 0) {
                deadLetter(record, bound + ": these spans alone exceed them", "otlp_too_large");
                return;
            }
            emit(traceId, entry, now);
            deadLetter(record, bound + ": the trace was emitted with the spans held before these", "otlp_too_large");
            return;
        }
        parts.put(partKey(traceId, entry.parts()), record.value());
        write(traceId, entry.arrived(now, part, partSpans, record.value().length));
    }

    private void emitDue(long now) {
        List<KeyValue<String, Held>> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = held.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                Held entry = decode(kv.value);
                boolean ready = entry.emitted()
                        ? now - entry.emittedAt() >= settings.maxWait().toMillis()
                        : entry.rootSeen() && now - entry.lastSeen() >= settings.quietPeriod().toMillis()
                                || now - entry.firstSeen() >= settings.maxWait().toMillis();
                if (ready) {
                    due.add(KeyValue.pair(kv.key, entry));
                }
            }
        }
        for (KeyValue<String, Held> kv : due) {
            if (kv.value.emitted()) {
                held.delete(kv.key);
            } else {
                emit(kv.key, kv.value, now);
            }
        }
    }

    /** Takes the trace's parts out of the store, leaves the emitted marker, and forwards the trace (or its dead letter). */
    private void emit(String traceId, Held entry, long now) {
        List<byte[]> held = new ArrayList<>();
        String prefix = traceId + "/";
        try (KeyValueIterator<String, byte[]> it = parts.prefixScan(prefix, new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                held.add(kv.value);
            }
        }
        for (int i = 0; i < entry.parts(); i++) {
            parts.delete(partKey(traceId, i));
        }
        write(traceId, new Held(entry.firstSeen(), entry.lastSeen(), entry.rootSeen(), entry.parts(), entry.spans(),
                entry.bytes(), now));
        ExportTraceServiceRequest merged = OtlpBatches.merge(held);
        DeadLetter source = new DeadLetter(STAGE, spansTopic, context.taskId().partition(), -1);
        Trace trace;
        try {
            trace = converter.traces(merged).get(0);
        } catch (InvalidTraceException e) {
            if (settings.unmapped() == OtlpSettings.Unmapped.DROP) {
                metrics.otlpDropped("no_experiment");
                return;
            }
            source.forward(context, metrics, utf8(traceId), merged.toByteArray(), now, new RecordHeaders(),
                    e.getMessage(), "no_experiment");
            return;
        }
        byte[] json = TraceJsonCodec.encode(trace);
        if (json.length > maxTraceBytes) {
            byte[] stub = Json.MAPPER.createObjectNode()
                    .put("error", dev.tracemonitor.serde.DeadLetters.TOO_LARGE_ERROR)
                    .put("trace_id", trace.traceId())
                    .put("spans", trace.spans().size())
                    .put("size_bytes", json.length)
                    .put("limit_bytes", maxTraceBytes)
                    .toString().getBytes(StandardCharsets.UTF_8);
            source.forward(context, metrics, null, stub, now, new RecordHeaders(), "the trace assembled from "
                    + trace.spans().size() + " OTLP spans is " + json.length + " bytes of MLflow JSON, over the trace"
                    + " limit of " + maxTraceBytes + " bytes", "too_large");
            return;
        }
        metrics.traceIn();
        context.forward(new Record<Object, Object>(trace.traceId(), new ReceivedTrace(trace, json), now),
                TraceMonitorTopology.ROUTE);
    }

    private void deadLetter(Record<String, byte[]> record, String reason, String kind) {
        DeadLetter.of(context, STAGE).forward(context, metrics, utf8(record.key()), record.value(), record.timestamp(),
                record.headers(), reason, kind);
    }

    private static String partKey(String traceId, int part) {
        return traceId + "/" + String.format("%06d", part);
    }

    private Held read(String traceId) {
        byte[] bytes = held.get(traceId);
        return bytes == null ? null : decode(bytes);
    }

    private void write(String traceId, Held entry) {
        try {
            held.put(traceId, Json.MAPPER.writeValueAsBytes(entry));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Held decode(byte[] bytes) {
        try {
            return Json.MAPPER.readValue(bytes, Held.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
