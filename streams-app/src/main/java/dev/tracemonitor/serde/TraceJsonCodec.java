package dev.tracemonitor.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentError;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes MLflow's trace JSON ({@code Trace.to_json()}): tolerant of missing optional fields and of both
 * the protobuf-JSON forms MLflow writes (ISO timestamps, {@code "1.5s"} durations) and plain epoch numbers; strict about
 * what makes a trace a trace (an object with {@code info.trace_id}).
 */
public final class TraceJsonCodec {

    private TraceJsonCodec() {
    }

    /** Decodes a trace, or throws {@link InvalidTraceException} saying why the bytes cannot be one. */
    public static Trace decode(byte[] bytes) {
        return fromJson(parse(bytes).root());
    }

    /**
     * {@link #decode}, keeping {@code bytes} as the trace's JSON when they can stand for what {@link #encode} would
     * write: one UTF-8 JSON object with nothing after it, of a trace that encoding leaves unchanged
     * ({@link #reencodesUnchanged}).
     */
    public static ReceivedTrace decodeReceived(byte[] bytes) {
        Parsed parsed = parse(bytes);
        Trace trace = fromJson(parsed.root());
        boolean reusable = parsed.endsAfterRoot() && startsAsUtf8Object(bytes) && reencodesUnchanged(trace);
        return new ReceivedTrace(trace, reusable ? bytes : null);
    }

    private record Parsed(JsonNode root, boolean endsAfterRoot) {
    }

    private static Parsed parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidTraceException("empty record value");
        }
        try (JsonParser parser = Json.MAPPER.createParser(bytes)) {
            JsonNode root = Json.MAPPER.readTree(parser);
            return new Parsed(root, endsHere(parser));
        } catch (IOException e) {
            throw new InvalidTraceException("not JSON: " + firstLine(e.getMessage()));
        }
    }

    /** Whether nothing but whitespace follows; what does is not read as part of the trace either way. */
    private static boolean endsHere(JsonParser parser) {
        try {
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** An object in UTF-8 without a byte order mark (the encoding Jackson detects from the first bytes). */
    private static boolean startsAsUtf8Object(byte[] bytes) {
        return bytes.length > 1 && bytes[0] == '{' && bytes[1] != 0;
    }

    /**
     * Whether {@code decode(encode(trace))} equals {@code trace}, a trace this codec decoded. It does except where
     * the encoding normalizes: a span status without a message (written with an empty one), an event attribute whose
     * text is JSON other than in its compact form or a JSON string (written as that JSON), a feedback value holding
     * a non-finite number (written as a string), and an execution duration too large for the {@code "1.5s"} form
     * to give back (beyond a double's precision).
     */
    static boolean reencodesUnchanged(Trace trace) {
        TraceInfo info = trace.info();
        Long duration = info.executionDurationMillis();
        if (duration != null && !durationRoundTrips(duration)) {
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

    private static boolean durationRoundTrips(long millis) {
        try {
            return durationMillis(formatDuration(millis)) == millis;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean finite(Object value) {
        if (value instanceof Double d) {
            return Double.isFinite(d);
        }
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().allMatch(TraceJsonCodec::finite);
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(TraceJsonCodec::finite);
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

    public static Trace fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidTraceException("a trace must be a JSON object with \"info\" and \"data\"");
        }
        JsonNode info = root.get("info");
        if (info == null || !info.isObject()) {
            throw new InvalidTraceException("missing \"info\" object");
        }
        String traceId = text(info, "trace_id");
        if (traceId == null) {
            traceId = text(info, "request_id");
        }
        if (traceId == null || traceId.isBlank()) {
            throw new InvalidTraceException("missing info.trace_id");
        }
        TraceInfo traceInfo = new TraceInfo(
                traceId,
                text(info, "client_request_id"),
                location(info),
                requestTime(info),
                duration(info),
                state(info),
                text(info, "request_preview"),
                text(info, "response_preview"),
                stringMap(info.get("trace_metadata") != null ? info.get("trace_metadata") : info.get("request_metadata")),
                stringMap(info.get("tags")),
                assessments(info.get("assessments"), traceId));
        List<Span> spans = new ArrayList<>();
        JsonNode data = root.get("data");
        if (data != null && !data.isNull()) {
            if (!data.isObject()) {
                throw new InvalidTraceException("\"data\" must be an object");
            }
            JsonNode spanArray = data.get("spans");
            if (spanArray != null && !spanArray.isNull()) {
                if (!spanArray.isArray()) {
                    throw new InvalidTraceException("data.spans must be an array");
                }
                int index = 0;
                for (JsonNode span : spanArray) {
                    spans.add(span(span, index++));
                }
            }
        }
        return new Trace(traceInfo, spans);
    }

    public static byte[] encode(Trace trace) {
        try {
            return Json.MAPPER.writeValueAsBytes(toJson(trace));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode trace " + trace.traceId(), e);
        }
    }

    public static ObjectNode toJson(Trace trace) {
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
        info.put("request_time", Instant.ofEpochMilli(i.requestTimeMillis()).toString());
        if (i.executionDurationMillis() != null) {
            info.put("execution_duration", formatDuration(i.executionDurationMillis()));
        }
        putIfNotNull(info, "state", i.state());
        putIfNotNull(info, "request_preview", i.requestPreview());
        putIfNotNull(info, "response_preview", i.responsePreview());
        putMap(info.putObject("trace_metadata"), i.traceMetadata());
        putMap(info.putObject("tags"), i.tags());
        ArrayNode assessments = info.putArray("assessments");
        for (Assessment a : i.assessments()) {
            assessments.add(assessmentToJson(a));
        }
        ArrayNode spans = root.putObject("data").putArray("spans");
        for (Span s : trace.spans()) {
            spans.add(spanToJson(s));
        }
        return root;
    }

    public static ObjectNode assessmentToJson(Assessment a) {
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
        node.put("create_time", Instant.ofEpochMilli(a.createTimeMillis()).toString());
        node.put("last_update_time", Instant.ofEpochMilli(a.lastUpdateTimeMillis()).toString());
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
        putIfNotNull(node, "rationale", a.rationale());
        putMap(node.putObject("metadata"), a.metadata());
        return node;
    }

    public static byte[] encodeAssessment(Assessment a) {
        try {
            return Json.MAPPER.writeValueAsBytes(assessmentToJson(a));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode assessment " + a.assessmentId(), e);
        }
    }

    public static Assessment decodeAssessment(byte[] bytes) {
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            return assessment(node, text(node, "trace_id"));
        } catch (IOException e) {
            throw new InvalidTraceException("assessment is not JSON: " + firstLine(e.getMessage()));
        }
    }

    private static ObjectNode spanToJson(Span s) {
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

    private static Span span(JsonNode node, int index) {
        if (!node.isObject()) {
            throw new InvalidTraceException("data.spans[" + index + "] is not an object");
        }
        String spanId = text(node, "span_id");
        if (spanId == null && node.path("context").isObject()) {
            spanId = text(node.get("context"), "span_id");
        }
        if (spanId == null || spanId.isEmpty()) {
            throw new InvalidTraceException("data.spans[" + index + "] has no span_id");
        }
        String parent = text(node, "parent_span_id");
        if (parent == null) {
            parent = text(node, "parent_id");
        }
        JsonNode statusNode = node.get("status");
        SpanStatus status = null;
        if (statusNode != null && statusNode.isObject()) {
            status = new SpanStatus(text(statusNode, "code") != null ? text(statusNode, "code") : text(statusNode, "status_code"),
                    text(statusNode, "message") != null ? text(statusNode, "message") : text(statusNode, "description"));
        } else if (statusNode != null && statusNode.isTextual()) {
            status = new SpanStatus(statusNode.textValue(), "");
        }
        List<SpanEvent> events = new ArrayList<>();
        JsonNode eventArray = node.get("events");
        if (eventArray != null && eventArray.isArray()) {
            for (JsonNode e : eventArray) {
                events.add(new SpanEvent(text(e, "name"), e.path("time_unix_nano").asLong(e.path("timestamp").asLong()),
                        jsonTextMap(e.get("attributes"))));
            }
        }
        return new Span(text(node, "trace_id"), spanId, parent == null || parent.isEmpty() ? null : parent,
                text(node, "name"),
                node.path("start_time_unix_nano").asLong(node.path("start_time_ns").asLong()),
                node.path("end_time_unix_nano").asLong(node.path("end_time_ns").asLong()),
                status, events, jsonTextMap(node.get("attributes")));
    }

    private static List<Assessment> assessments(JsonNode array, String traceId) {
        List<Assessment> list = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode node : array) {
                list.add(assessment(node, traceId));
            }
        }
        return list;
    }

    private static Assessment assessment(JsonNode node, String traceId) {
        if (node == null || !node.isObject()) {
            throw new InvalidTraceException("an assessment must be an object");
        }
        String name = text(node, "assessment_name");
        if (name == null) {
            throw new InvalidTraceException("assessment without assessment_name");
        }
        String aTraceId = text(node, "trace_id") != null ? text(node, "trace_id") : traceId;
        String spanId = text(node, "span_id");
        JsonNode sourceNode = node.get("source");
        AssessmentSource source = sourceNode == null || !sourceNode.isObject() ? null
                : new AssessmentSource(text(sourceNode, "source_type"), text(sourceNode, "source_id"));
        Feedback feedback = null;
        JsonNode fb = node.get("feedback");
        if (fb != null && fb.isObject()) {
            JsonNode value = fb.get("value");
            JsonNode error = fb.get("error");
            feedback = new Feedback(value == null || value.isNull() ? null : Json.MAPPER.convertValue(value, Object.class),
                    error == null || !error.isObject() ? null
                            : new AssessmentError(text(error, "error_code"), text(error, "error_message")));
        }
        String id = text(node, "assessment_id");
        return new Assessment(id != null ? id : Assessment.deterministicId(aTraceId, name, spanId), name, aTraceId, spanId,
                source, timestamp(node.get("create_time")), timestamp(node.get("last_update_time")), feedback,
                text(node, "rationale"), stringMap(node.get("metadata")));
    }

    private static TraceLocation location(JsonNode info) {
        JsonNode loc = info.get("trace_location");
        if (loc != null && loc.isObject()) {
            String experimentId = text(loc.path("mlflow_experiment"), "experiment_id");
            String type = text(loc, "type");
            return new TraceLocation(type == null ? TraceLocation.MLFLOW_EXPERIMENT : type, experimentId);
        }
        String legacy = text(info, "experiment_id");
        return legacy == null ? null : TraceLocation.experiment(legacy);
    }

    private static long requestTime(JsonNode info) {
        JsonNode node = info.get("request_time");
        if (node == null || node.isNull()) {
            node = info.get("timestamp_ms");
        }
        if (node == null || node.isNull()) {
            throw new InvalidTraceException("missing info.request_time");
        }
        return timestamp(node);
    }

    private static long timestamp(JsonNode node) {
        if (node == null || node.isNull()) {
            return 0L;
        }
        if (node.isNumber()) {
            return node.asLong();
        }
        String text = node.asText();
        long fast = fastIsoInstantMillis(text);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException nfe) {
                throw new InvalidTraceException("not a timestamp: " + abbreviate(text));
            }
        }
    }

    /**
     * {@code Instant.parse(text).toEpochMilli()} for the shape MLflow writes, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z},
     * without the general parser (it runs for every trace, twice per trace in the service). Long.MIN_VALUE for any
     * other text, and for anything unusual (a leap second, an invalid date): the caller then uses Instant.parse, which
     * gives the same result or the same error.
     */
    static long fastIsoInstantMillis(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
                || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > java.time.YearMonth.of(year, month)
                .lengthOfMonth() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        long nanos = 0;
        if (length > 20) {
            int fractionDigits = length - 21;
            if (text.charAt(19) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return Long.MIN_VALUE;
            }
            int fraction = digits(text, 20, fractionDigits);
            if (fraction < 0) {
                return Long.MIN_VALUE;
            }
            nanos = fraction;
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        long seconds = epochDay * 86_400L + hour * 3_600L + minute * 60L + second;
        return seconds * 1000L + nanos / 1_000_000L;
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1 if any is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Long duration(JsonNode info) {
        JsonNode node = info.get("execution_duration");
        if (node == null || node.isNull()) {
            node = info.get("execution_time_ms");
            return node == null || node.isNull() ? null : node.asLong();
        }
        if (node.isNumber()) {
            return node.asLong();
        }
        String text = node.asText().trim();
        try {
            return durationMillis(text);
        } catch (RuntimeException e) {
            throw new InvalidTraceException("not a duration: " + abbreviate(text));
        }
    }

    private static long durationMillis(String text) {
        if (text.endsWith("s")) {
            return Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000.0);
        }
        return Duration.parse(text).toMillis();
    }

    private static String state(JsonNode info) {
        String state = text(info, "state");
        return state != null ? state : text(info, "status");
    }

    private static String formatDuration(long millis) {
        if (millis < 0) {
            return BigDecimal.valueOf(millis, 3).toPlainString() + "s";
        }
        long fraction = millis % 1000;
        // what String.format("%03d") gives for 0..999, without a Formatter per trace
        String padded = fraction < 10 ? "00" + fraction : fraction < 100 ? "0" + fraction : Long.toString(fraction);
        return (millis / 1000) + "." + padded + "s";
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                if (!e.getValue().isNull()) {
                    map.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
                }
            }
        }
        return map;
    }

    /** Attribute values as MLflow stores them: JSON text (a non-string value is re-encoded as its JSON). */
    private static Map<String, String> jsonTextMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                JsonNode v = e.getValue();
                map.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
            }
        }
        return map;
    }

    private static JsonNode jsonOrText(String value) {
        JsonNode parsed = Json.parseOrNull(value);
        return parsed != null ? parsed : Json.MAPPER.getNodeFactory().textNode(value);
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static void putIfNotNull(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void putMap(ObjectNode node, Map<String, String> map) {
        map.forEach(node::put);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }
}
