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
 * {@code <trace id>/<part number>}. Once emitted, a trace's entry becomes a marker kept, with its parts, for the maximum
 * wait: a span of the trace that comes meanwhile is held with them and, after the quiet period, the whole trace is
 * emitted again as a late update, tagged {@value #LATE_UPDATE_TAG} with its number (1, 2, …), which the sink writes
 * as a new row of the same trace id and routing does not judge again (the trace's judges ran on the first emission).
 * Spans of a trace that was not forwarded (it named no experiment, or was too large) are dead-lettered as late.
 *
 * <p>Bounded: a trace holds at most the configured number of spans and the trace limit's bytes. A part that would
 * take it over is dead-lettered with the reason and the trace is emitted with what it holds (a late part that would
 * take it over is dead-lettered, no update is made); a part over the bounds on its own is dead-lettered. A trace whose spans name no experiment, or whose MLflow JSON exceeds the trace limit, is
 * dead-lettered (its merged spans as OTLP protobuf, or a small error record when too large).
 */
final class SpanAssemblyProcessor implements Processor<String, byte[], Object, Object> {

    static final String STAGE = "otlp-assemble";
    private static final Duration MAX_PUNCTUATION_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MIN_PUNCTUATION_INTERVAL = Duration.ofMillis(50);

    /** The tag of a trace emitted again with late spans: the update's number, "1" for the first. */
    static final String LATE_UPDATE_TAG = "trace_monitor.late_update";

    /**
     * A held trace's entry, or the marker of an emitted one ({@code emittedAt} set; {@code kept}: its parts are kept
     * for a late update, false when it was not forwarded or was emitted before parts were kept); {@code updates}: the
     * late updates emitted so far, or, while held again, including the one being held.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Held(@JsonProperty("first_seen") long firstSeen, @JsonProperty("last_seen") long lastSeen,
                @JsonProperty("root_seen") boolean rootSeen, @JsonProperty("parts") int parts,
                @JsonProperty("spans") int spans, @JsonProperty("bytes") long bytes,
                @JsonProperty("emitted_at") Long emittedAt, @JsonProperty("updates") int updates,
                @JsonProperty("kept") boolean kept) {

        Held arrived(long now, ExportTraceServiceRequest part, int partSpans, int partBytes) {
            return new Held(firstSeen, now, rootSeen || OtlpBatches.hasRoot(part), parts + 1, spans + partSpans,
                    bytes + partBytes, null, updates, false);
        }

        /** Held again from now, with the late part, for the next update. */
        Held arrivedLate(long now, ExportTraceServiceRequest part, int partSpans, int partBytes) {
            return new Held(now, now, true, parts, spans, bytes, null, updates + 1, false)
                    .arrived(now, part, partSpans, partBytes);
        }

        Held emittedAt(long now, boolean keptParts) {
            return new Held(firstSeen, lastSeen, rootSeen, parts, spans, bytes, now, updates, keptParts);
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
        boolean late = entry != null && entry.emitted();
        if (late && !entry.kept()) {
            deadLetter(record, "late: " + partSpans + " span(s) of trace " + OtlpTraces.TRACE_ID_PREFIX + traceId
                    + " arrived after the trace was emitted", "otlp_late");
            return;
        }
        if (entry == null) {
            entry = new Held(now, now, false, 0, 0, 0, null, 0, false);
        }
        if (entry.spans() + partSpans > settings.maxSpans() || entry.bytes() + record.value().length > maxTraceBytes) {
            String bound = "trace " + OtlpTraces.TRACE_ID_PREFIX + traceId + " would hold " + (entry.spans() + partSpans)
                    + " spans and " + (entry.bytes() + record.value().length) + " bytes, over the limits of "
                    + settings.maxSpans() + " spans and " + maxTraceBytes + " bytes";
            if (entry.parts() == 0) {
                deadLetter(record, bound + ": these spans alone exceed them", "otlp_too_large");
                return;
            }
            if (late) {
                deadLetter(record, bound + ": these late spans make no update of the emitted trace", "otlp_too_large");
                return;
            }
            emit(traceId, entry, now);
            deadLetter(record, bound + ": the trace was emitted with the spans held before these", "otlp_too_large");
            return;
        }
        parts.put(partKey(traceId, entry.parts()), record.value());
        write(traceId, late ? entry.arrivedLate(now, part, partSpans, record.value().length)
                : entry.arrived(now, part, partSpans, record.value().length));
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
                deleteParts(kv.key, kv.value);
            } else {
                emit(kv.key, kv.value, now);
            }
        }
    }

    /**
     * Forwards the trace (or its dead letter) merged from its parts and leaves the emitted marker: with the parts, for a
     * late update, when the trace was forwarded; without them otherwise.
     */
    private void emit(String traceId, Held entry, long now) {
        List<byte[]> held = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = parts.prefixScan(traceId + "/", new StringSerializer())) {
            while (it.hasNext()) {
                held.add(it.next().value);
            }
        }
        boolean forwarded = forward(traceId, entry, OtlpBatches.merge(held), now);
        if (!forwarded) {
            deleteParts(traceId, entry);
        }
        write(traceId, entry.emittedAt(now, forwarded));
    }

    private void deleteParts(String traceId, Held entry) {
        for (int i = 0; i < entry.parts(); i++) {
            parts.delete(partKey(traceId, i));
        }
    }

    /** Whether the trace went on to routing (rather than to the dead-letter topic, or dropped). */
    private boolean forward(String traceId, Held entry, ExportTraceServiceRequest merged, long now) {
        DeadLetter source = new DeadLetter(STAGE, spansTopic, context.taskId().partition(), -1);
        Trace trace;
        try {
            trace = converter.traces(merged).get(0);
        } catch (InvalidTraceException e) {
            if (settings.unmapped() == OtlpSettings.Unmapped.DROP) {
                metrics.otlpDropped("no_experiment");
                return false;
            }
            source.forward(context, metrics, utf8(traceId), merged.toByteArray(), now, new RecordHeaders(),
                    e.getMessage(), "no_experiment");
            return false;
        }
        if (entry.updates() > 0) {
            trace = trace.withTag(LATE_UPDATE_TAG, Integer.toString(entry.updates()));
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
            return false;
        }
        if (entry.updates() > 0) {
            metrics.otlpLateUpdate();
        } else {
            metrics.traceIn();
        }
        context.forward(new Record<Object, Object>(trace.traceId(), new ReceivedTrace(trace, json), now),
                TraceMonitorTopology.ROUTE);
        return true;
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
