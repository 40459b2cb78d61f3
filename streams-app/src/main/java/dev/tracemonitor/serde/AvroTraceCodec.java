package dev.tracemonitor.serde;

import static dev.tracemonitor.serde.AvroValues.field;
import static dev.tracemonitor.serde.AvroValues.list;
import static dev.tracemonitor.serde.AvroValues.longValue;
import static dev.tracemonitor.serde.AvroValues.nonEmptyOrNull;
import static dev.tracemonitor.serde.AvroValues.string;
import static dev.tracemonitor.serde.AvroValues.stringMap;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Maps {@link Trace} to and from records of {@code schemas/Trace.avsc}, the contract of the traces topic in Avro.
 * Reading applies the same rules as the JSON codec: a trace needs {@code info.trace_id} and every span a
 * {@code span_id}; an empty parent span id means a root span. Assessments follow {@link AvroAssessmentCodec}.
 */
public final class AvroTraceCodec {

    /** The Trace schema, as generated from schemas/Trace.avsc. */
    public static final Schema SCHEMA = dev.tracemonitor.avro.Trace.getClassSchema();

    private static final Schema INFO = field(SCHEMA, "info");
    private static final Schema LOCATION = field(INFO, "trace_location");
    private static final Schema ASSESSMENT = field(INFO, "assessments").getElementType();
    private static final Schema SPAN = field(SCHEMA, "spans").getElementType();
    private static final Schema STATUS = field(SPAN, "status");
    private static final Schema EVENT = field(SPAN, "events").getElementType();

    private AvroTraceCodec() {
    }

    public static Trace fromRecord(GenericRecord record) {
        GenericRecord info = (GenericRecord) record.get("info");
        if (info == null) {
            throw new InvalidTraceException("missing \"info\" record");
        }
        String traceId = string(info.get("trace_id"));
        if (traceId == null || traceId.isBlank()) {
            throw new InvalidTraceException("missing info.trace_id");
        }
        GenericRecord location = (GenericRecord) info.get("trace_location");
        List<Assessment> assessments = new ArrayList<>();
        for (Object assessment : list(info.get("assessments"))) {
            assessments.add(AvroAssessmentCodec.fromRecord((GenericRecord) assessment));
        }
        Object duration = info.get("execution_duration_ms");
        TraceInfo traceInfo = new TraceInfo(
                traceId,
                string(info.get("client_request_id")),
                location == null ? null : new TraceLocation(string(location.get("type")), string(location.get("experiment_id"))),
                longValue(info.get("request_time")),
                duration == null ? null : ((Number) duration).longValue(),
                string(info.get("state")),
                string(info.get("request_preview")),
                string(info.get("response_preview")),
                stringMap(info.get("trace_metadata")),
                stringMap(info.get("tags")),
                assessments);
        List<Span> spans = new ArrayList<>();
        int index = 0;
        for (Object span : list(record.get("spans"))) {
            spans.add(span((GenericRecord) span, index++));
        }
        return new Trace(traceInfo, spans);
    }

    public static GenericRecord toRecord(Trace trace) {
        TraceInfo i = trace.info();
        GenericData.Record info = new GenericData.Record(INFO);
        info.put("trace_id", i.traceId());
        info.put("client_request_id", i.clientRequestId());
        if (i.traceLocation() != null) {
            GenericData.Record location = new GenericData.Record(LOCATION);
            location.put("type", Objects.requireNonNullElse(i.traceLocation().type(), TraceLocation.MLFLOW_EXPERIMENT));
            location.put("experiment_id", i.traceLocation().experimentId());
            info.put("trace_location", location);
        }
        info.put("request_time", i.requestTimeMillis());
        info.put("execution_duration_ms", i.executionDurationMillis());
        info.put("state", i.state());
        info.put("request_preview", i.requestPreview());
        info.put("response_preview", i.responsePreview());
        info.put("trace_metadata", i.traceMetadata());
        info.put("tags", i.tags());
        List<GenericRecord> assessments = new ArrayList<>(i.assessments().size());
        for (Assessment a : i.assessments()) {
            assessments.add(AvroAssessmentCodec.toRecord(ASSESSMENT, a));
        }
        info.put("assessments", assessments);
        GenericData.Record record = new GenericData.Record(SCHEMA);
        record.put("info", info);
        List<GenericRecord> spans = new ArrayList<>(trace.spans().size());
        for (Span s : trace.spans()) {
            spans.add(spanRecord(s));
        }
        record.put("spans", spans);
        return record;
    }

    private static Span span(GenericRecord span, int index) {
        String spanId = string(span.get("span_id"));
        if (spanId == null || spanId.isEmpty()) {
            throw new InvalidTraceException("spans[" + index + "] has no span_id");
        }
        GenericRecord status = (GenericRecord) span.get("status");
        List<SpanEvent> events = new ArrayList<>();
        for (Object e : list(span.get("events"))) {
            GenericRecord event = (GenericRecord) e;
            events.add(new SpanEvent(string(event.get("name")), longValue(event.get("time_unix_nano")),
                    stringMap(event.get("attributes"))));
        }
        return new Span(
                string(span.get("trace_id")),
                spanId,
                nonEmptyOrNull(span.get("parent_span_id")),
                string(span.get("name")),
                longValue(span.get("start_time_unix_nano")),
                longValue(span.get("end_time_unix_nano")),
                status == null ? null : new SpanStatus(string(status.get("code")), string(status.get("message"))),
                events,
                stringMap(span.get("attributes")));
    }

    private static GenericRecord spanRecord(Span s) {
        GenericData.Record span = new GenericData.Record(SPAN);
        span.put("trace_id", s.traceId());
        span.put("span_id", s.spanId());
        span.put("parent_span_id", s.parentSpanId());
        span.put("name", Objects.requireNonNullElse(s.name(), ""));
        span.put("start_time_unix_nano", s.startTimeUnixNano());
        span.put("end_time_unix_nano", s.endTimeUnixNano());
        if (s.status() != null) {
            GenericData.Record status = new GenericData.Record(STATUS);
            status.put("code", Objects.requireNonNullElse(s.status().code(), ""));
            status.put("message", s.status().message());
            span.put("status", status);
        }
        List<GenericRecord> events = new ArrayList<>(s.events().size());
        for (SpanEvent e : s.events()) {
            GenericData.Record event = new GenericData.Record(EVENT);
            event.put("name", Objects.requireNonNullElse(e.name(), ""));
            event.put("time_unix_nano", e.timeUnixNano());
            event.put("attributes", e.attributes());
            events.add(event);
        }
        span.put("events", events);
        span.put("attributes", s.attributes());
        return span;
    }
}
