package dev.tracemonitor.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import java.util.List;
import java.util.Map;

/**
 * Writes the model as the trees of MLflow's trace JSON ({@code Trace.to_json()}, with ISO instants and
 * {@code "1.5s"} durations) and Assessment JSON, and knows where writing normalizes what {@link TraceJsonReader} read.
 */
final class TraceJsonWriter {

    private TraceJsonWriter() {
    }

    static ObjectNode trace(Trace trace) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        TraceInfo i = trace.info();
        ObjectNode info = root.putObject("info");
        info.put("trace_id", i.traceId());
        putIfNotNull(info, "client_request_id", i.clientRequestId());
        if (i.traceLocation() != null) {
            ObjectNode loc = info.putObject("trace_location");
            loc.put("type", i.traceLocation().type());
            if (i.traceLocation().experimentId() != null) {
                loc.putObject("mlflow_experiment").put("experiment_id", i.traceLocation().experimentId());
            }
        }
        info.put("request_time", MlflowTime.formatInstant(i.requestTimeMillis()));
        if (i.executionDurationMillis() != null) {
            info.put("execution_duration", MlflowTime.formatDuration(i.executionDurationMillis()));
        }
        putIfNotNull(info, "state", i.state());
        putIfNotNull(info, "request_preview", i.requestPreview());
        putIfNotNull(info, "response_preview", i.responsePreview());
        putMap(info.putObject("trace_metadata"), i.traceMetadata());
        putMap(info.putObject("tags"), i.tags());
        ArrayNode assessments = info.putArray("assessments");
        for (Assessment a : i.assessments()) {
            assessments.add(assessment(a));
        }
        ArrayNode spans = root.putObject("data").putArray("spans");
        for (Span s : trace.spans()) {
            spans.add(span(s));
        }
        return root;
    }

    static ObjectNode assessment(Assessment a) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("assessment_id", a.assessmentId());
        node.put("assessment_name", a.assessmentName());
        node.put("trace_id", a.traceId());
        putIfNotNull(node, "span_id", a.spanId());
        if (a.source() != null) {
            ObjectNode source = node.putObject("source");
            source.put("source_type", a.source().sourceType());
            source.put("source_id", a.source().sourceId());
        }
        node.put("create_time", MlflowTime.formatInstant(a.createTimeMillis()));
        node.put("last_update_time", MlflowTime.formatInstant(a.lastUpdateTimeMillis()));
        if (a.feedback() != null) {
            ObjectNode feedback = node.putObject("feedback");
            if (a.feedback().value() != null) {
                feedback.set("value", Json.MAPPER.valueToTree(a.feedback().value()));
            }
            if (a.feedback().error() != null) {
                ObjectNode error = feedback.putObject("error");
                error.put("error_code", a.feedback().error().errorCode());
                error.put("error_message", a.feedback().error().errorMessage());
            }
        }
        if (a.expectation() != null) {
            node.putObject("expectation").set("value", Json.MAPPER.valueToTree(a.expectation()));
        }
        putIfNotNull(node, "rationale", a.rationale());
        putMap(node.putObject("metadata"), a.metadata());
        return node;
    }

    /**
     * Whether reading what this writes gives {@code trace} back, for a trace {@link TraceJsonReader} read. It does
     * except where writing normalizes: a span status without a message (written with an empty one), an event
     * attribute whose text is JSON other than in its compact form or a JSON string (written as that JSON), a feedback
     * value holding a non-finite number (written as a string), and an execution duration too large for the
     * {@code "1.5s"} form to give back (beyond a double's precision).
     */
    static boolean reencodesUnchanged(Trace trace) {
        TraceInfo info = trace.info();
        Long duration = info.executionDurationMillis();
        if (duration != null && !MlflowTime.durationRoundTrips(duration)) {
            return false;
        }
        for (Assessment a : info.assessments()) {
            if (a.feedback() != null && !finite(a.feedback().value())) {
                return false;
            }
        }
        for (Span span : trace.spans()) {
            if (span.status() != null && span.status().message() == null) {
                return false;
            }
            for (SpanEvent event : span.events()) {
                for (String value : event.attributes().values()) {
                    if (!keepsItsText(value)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static ObjectNode span(Span s) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        putIfNotNull(node, "trace_id", s.traceId());
        node.put("span_id", s.spanId());
        if (s.parentSpanId() == null) {
            node.putNull("parent_span_id");
        } else {
            node.put("parent_span_id", s.parentSpanId());
        }
        node.put("name", s.name());
        node.put("start_time_unix_nano", s.startTimeUnixNano());
        node.put("end_time_unix_nano", s.endTimeUnixNano());
        if (s.status() != null) {
            ObjectNode status = node.putObject("status");
            status.put("code", s.status().code());
            status.put("message", s.status().message() == null ? "" : s.status().message());
        }
        ArrayNode events = node.putArray("events");
        for (SpanEvent e : s.events()) {
            ObjectNode event = events.addObject();
            event.put("name", e.name());
            event.put("time_unix_nano", e.timeUnixNano());
            ObjectNode attributes = event.putObject("attributes");
            e.attributes().forEach((k, v) -> attributes.set(k, jsonOrText(v)));
        }
        putMap(node.putObject("attributes"), s.attributes());
        return node;
    }

    private static JsonNode jsonOrText(String value) {
        JsonNode parsed = Json.parseOrNull(value);
        return parsed != null ? parsed : Json.MAPPER.getNodeFactory().textNode(value);
    }

    private static boolean finite(Object value) {
        if (value instanceof Double d) {
            return Double.isFinite(d);
        }
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().allMatch(TraceJsonWriter::finite);
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(TraceJsonWriter::finite);
        }
        return true;
    }

    /**
     * Whether an event attribute's text survives {@link #jsonOrText}: text that is not JSON, or JSON in its compact
     * form that is not a string. Text starting with a letter that starts no JSON value is not parsed.
     */
    private static boolean keepsItsText(String value) {
        if (!value.isEmpty() && startsNoJsonValue(value.charAt(0))) {
            return true;
        }
        JsonNode parsed = Json.parseOrNull(value);
        return parsed == null || !parsed.isTextual() && parsed.toString().equals(value);
    }

    private static boolean startsNoJsonValue(char c) {
        return (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && c != 't' && c != 'f' && c != 'n' && c != 'N' && c != 'I';
    }

    private static void putIfNotNull(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void putMap(ObjectNode node, Map<String, String> map) {
        map.forEach(node::put);
    }
}
