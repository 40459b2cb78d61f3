package dev.tracemonitor.serde;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentError;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads the trees of MLflow's trace and Assessment JSON into the model, accepting every shape MLflow writes: V3
 * ({@code trace_id}, {@code request_time}, {@code execution_duration}) and MLflow 2 ({@code request_id},
 * {@code timestamp_ms}, {@code execution_time_ms}, {@code status}, {@code request_metadata}), span fields of each span
 * dictionary version, timestamps and durations in each of their forms ({@link MlflowTime}).
 */
final class TraceJsonReader {

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,30}");

    private TraceJsonReader() {
    }

    static Trace trace(JsonNode container) {
        if (container == null || !container.isObject()) {
            throw new InvalidTraceException("a trace must be a JSON object with \"info\" and \"data\"");
        }
        JsonNode root = unwrap(container);
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

    /**
     * The trace inside a container that carries one: the body a Databricks agent serving endpoint returns
     * ({@code {"output": …, "databricks_output": {"trace": {"info", "data"}}}}); any other object as it is.
     */
    private static JsonNode unwrap(JsonNode container) {
        if (container.has("info")) {
            return container;
        }
        JsonNode endpointTrace = container.path("databricks_output").path("trace");
        return endpointTrace.isObject() ? endpointTrace : container;
    }

    /** An Assessment object on its own, as on the feedback topic. */
    static Assessment assessment(JsonNode node) {
        return assessment(node, null);
    }

    /** An Assessment object of a trace: {@code traceId} is the one it has when it names none. */
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
                source, timestamp(node.get("create_time"), "assessment " + name + ".create_time"),
                timestamp(node.get("last_update_time"), "assessment " + name + ".last_update_time"), feedback,
                text(node, "rationale"), stringMap(node.get("metadata")), expectation(node.get("expectation")));
    }

    /**
     * An expectation's value: {@code value}, or the JSON text of {@code serialized_value} (MLflow writes a value that
     * is not a scalar that way), parsed when it is JSON; null when there is none.
     */
    private static Object expectation(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get("value");
        if (value != null && !value.isNull()) {
            return Json.MAPPER.convertValue(value, Object.class);
        }
        String serialized = text(node.get("serialized_value"), "value");
        if (serialized == null) {
            return null;
        }
        JsonNode parsed = Json.parseOrNull(serialized);
        return parsed == null ? serialized : Json.MAPPER.convertValue(parsed, Object.class);
    }

    /** A field's value as text; null when the field is missing or null. */
    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /**
     * A span dictionary of any MLflow version: 3.x ({@code span_id}, {@code parent_span_id},
     * {@code start_time_unix_nano}, {@code status{code, message}}) or MLflow 2 ({@code context{span_id, trace_id}},
     * {@code parent_id}, {@code start_time}, {@code status_code}, {@code status_message}); ids in any of their forms
     * ({@link TraceJsonIds}), event times in micro- or nanoseconds ({@link MlflowTime#eventNanos}).
     */
    private static Span span(JsonNode node, int index) {
        if (!node.isObject()) {
            throw new InvalidTraceException("data.spans[" + index + "] is not an object");
        }
        String where = "data.spans[" + index + "]";
        requireShape(node, where, "span_id", JsonNode::isTextual, "a string");
        requireShape(node, where, "name", JsonNode::isTextual, "a string");
        requireShape(node, where, "attributes", JsonNode::isObject, "an object");
        requireShape(node, where, "events", JsonNode::isArray, "a list");
        requireShape(node, where, "status", n -> n.isObject() || n.isTextual(), "an object");
        JsonNode context = node.path("context");
        String spanId = firstText(node, "span_id", context, "span_id");
        if (spanId == null || spanId.isEmpty()) {
            throw new InvalidTraceException("data.spans[" + index + "] has no span_id");
        }
        String parent = text(node, "parent_span_id");
        if (parent == null) {
            parent = text(node, "parent_id");
        }
        List<SpanEvent> events = new ArrayList<>();
        JsonNode eventArray = node.get("events");
        if (eventArray != null && eventArray.isArray()) {
            for (JsonNode e : eventArray) {
                JsonNode time = e.has("time_unix_nano") ? e.get("time_unix_nano") : e.get("timestamp");
                events.add(new SpanEvent(text(e, "name"), MlflowTime.eventNanos(time == null ? 0 : time.asLong()),
                        jsonTextMap(e.get("attributes"))));
            }
        }
        return new Span(TraceJsonIds.normalize(firstText(node, "trace_id", context, "trace_id")),
                TraceJsonIds.normalize(spanId),
                parent == null || parent.isEmpty() ? null : TraceJsonIds.normalize(parent),
                text(node, "name"),
                nanos(node, where, "start_time_unix_nano", "start_time_ns", "start_time"),
                nanos(node, where, "end_time_unix_nano", "end_time_ns", "end_time"),
                status(node), events, jsonTextMap(node.get("attributes")));
    }

    /** {@code node.first}, else {@code other.second}. */
    private static String firstText(JsonNode node, String first, JsonNode other, String second) {
        String value = text(node, first);
        return value != null ? value : text(other, second);
    }

    /**
     * The first of the fields present, as nanoseconds: a non-negative integer within int64, as a JSON number or as
     * decimal text (never through a double). Anything else is not a time: the trace is refused naming the field.
     */
    private static long nanos(JsonNode node, String where, String... fields) {
        for (String field : fields) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            long nanos;
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                nanos = value.longValue();
            } else if (value.isTextual() && INTEGER.matcher(value.textValue()).matches()) {
                try {
                    nanos = Long.parseLong(value.textValue());
                } catch (NumberFormatException e) {
                    throw new InvalidTraceException(where + "." + field + " is beyond int64: " + abbreviate(value.textValue()));
                }
            } else {
                throw new InvalidTraceException(where + "." + field + " must be an integer of nanoseconds, found "
                        + abbreviate(value.toString()));
            }
            if (nanos < 0) {
                throw new InvalidTraceException(where + "." + field + " is negative: " + nanos);
            }
            return nanos;
        }
        return 0L;
    }

    /**
     * A number of milliseconds: an integer (or a float with no fraction, or proto JSON's decimal text) within int64.
     * Anything else (1e400, beyond int64, 1.5, "abc") is refused naming the field, never rounded or clamped. Negative
     * durations are kept as received.
     */
    private static long wholeNumber(JsonNode value, String where) {
        long number;
        if (value.isTextual() && INTEGER.matcher(value.textValue()).matches()) {
            try {
                number = Long.parseLong(value.textValue());
            } catch (NumberFormatException e) {
                throw new InvalidTraceException(where + " is beyond int64: " + abbreviate(value.textValue()));
            }
        } else if ((value.isIntegralNumber() || value.isFloatingPointNumber() && Double.isFinite(value.doubleValue())
                && value.doubleValue() == Math.rint(value.doubleValue())) && value.canConvertToLong()) {
            number = value.longValue();
        } else {
            throw new InvalidTraceException(where + " must be a whole number of milliseconds within int64, found "
                    + abbreviate(value.toString()));
        }
        return number;
    }

    /** A field that is present and not null has the shape it must have; else the trace is refused naming it. */
    private static void requireShape(JsonNode node, String where, String field, Predicate<JsonNode> shape,
                                     String expected) {
        JsonNode value = node.get(field);
        if (value != null && !value.isNull() && !shape.test(value)) {
            throw new InvalidTraceException(where + "." + field + " must be " + expected + ", found "
                    + value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(value.toString()));
        }
    }

    /**
     * The status in each form: {@code {"code", "message"}} (3.x), {@code {"status_code", "description"}} (the MLflow
     * UI's mocks, with a numeric code), a bare code string, or MLflow 2's {@code status_code}/{@code status_message}.
     */
    private static SpanStatus status(JsonNode node) {
        JsonNode statusNode = node.get("status");
        if (statusNode != null && statusNode.isObject()) {
            String code = text(statusNode, "code") != null ? text(statusNode, "code") : text(statusNode, "status_code");
            String message = text(statusNode, "message") != null ? text(statusNode, "message")
                    : text(statusNode, "description");
            return new SpanStatus(SpanStatus.normalizeCode(code), message == null ? "" : message);
        }
        if (statusNode != null && statusNode.isTextual()) {
            return new SpanStatus(SpanStatus.normalizeCode(statusNode.textValue()), "");
        }
        String code = text(node, "status_code");
        if (code != null) {
            String message = text(node, "status_message");
            return new SpanStatus(SpanStatus.normalizeCode(code), message == null ? "" : message);
        }
        return null;
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

    /** {@code request_time} (V3), else MLflow 2's {@code timestamp_ms}, in milliseconds. */
    private static long requestTime(JsonNode info) {
        Long millis = firstPresent(info, TraceJsonReader::timestamp, "request_time", "timestamp_ms");
        if (millis == null) {
            throw new InvalidTraceException("missing info.request_time");
        }
        return millis;
    }

    private static long timestamp(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return 0L;
        }
        if (node.isNumber()) {
            return wholeNumber(node, where);
        }
        String text = node.asText();
        try {
            return MlflowTime.instantMillis(text);
        } catch (NumberFormatException e) {
            throw new InvalidTraceException(where + " is not a timestamp: " + abbreviate(text));
        }
    }

    /**
     * The duration in milliseconds, from {@code execution_duration} (proto JSON: {@code "1.554s"}),
     * {@code execution_duration_ms} (MLflow 3's {@code to_dict()}) or {@code execution_time_ms} (MLflow 2).
     */
    private static Long duration(JsonNode info) {
        Long proto = firstPresent(info, TraceJsonReader::protoDuration, "execution_duration");
        Long millis = firstPresent(info, TraceJsonReader::wholeNumber, "execution_duration_ms", "execution_time_ms");
        return proto != null ? proto : millis;
    }

    private static long protoDuration(JsonNode node, String where) {
        if (node.isNumber()) {
            return wholeNumber(node, where);
        }
        String text = node.asText().trim();
        try {
            return MlflowTime.durationMillis(text);
        } catch (RuntimeException e) {
            throw new InvalidTraceException(where + " is not a duration: " + abbreviate(text));
        }
    }

    /**
     * The first of the info {@code fields} present (not null), as {@code read} reads it. Each later one present is
     * read too, so that a malformed value is refused even where another field stands for the same thing.
     */
    private static Long firstPresent(JsonNode info, BiFunction<JsonNode, String, Long> read, String... fields) {
        Long first = null;
        for (String field : fields) {
            JsonNode node = info.get(field);
            if (node != null && !node.isNull()) {
                Long value = read.apply(node, "info." + field);
                first = first == null ? value : first;
            }
        }
        return first;
    }

    private static String state(JsonNode info) {
        String state = text(info, "state");
        return state != null ? state : text(info, "status");
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

    static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }
}
