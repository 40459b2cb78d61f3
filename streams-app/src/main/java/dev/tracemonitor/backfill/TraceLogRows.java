package dev.tracemonitor.backfill;

import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import dev.tracemonitor.scoring.Assessments;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code trace_logs} row read back as the trace the judges saw: the span type, inputs and outputs columns become
 * the {@code mlflow.span*} attributes again (the table keeps them out of {@code attributes}), and the row's request
 * and response texts are the previews. The judges the row's assessments came from are read too, so that a pair the
 * service judged live is not judged again.
 */
final class TraceLogRows {

    private TraceLogRows() {
    }

    /** The trace of a row, or null when the row has no request time (the backfill cannot place it in a range). */
    static Trace toTrace(Row row) {
        StructType schema = row.getSchema();
        int requestTime = schema.indexOf("request_time");
        if (row.isNullAt(requestTime)) {
            return null;
        }
        String traceId = string(row, "trace_id");
        int location = schema.indexOf("trace_location");
        TraceLocation traceLocation = null;
        if (!row.isNullAt(location)) {
            Row loc = row.getStruct(location);
            int experiment = loc.getSchema().indexOf("mlflow_experiment");
            traceLocation = new TraceLocation(string(loc, "type"),
                    loc.isNullAt(experiment) ? null : string(loc.getStruct(experiment), "experiment_id"));
        }
        int duration = schema.indexOf("execution_duration_ms");
        TraceInfo info = new TraceInfo(traceId, string(row, "client_request_id"), traceLocation,
                row.getLong(requestTime) / 1000, row.isNullAt(duration) ? null : row.getLong(duration),
                string(row, "state"), string(row, "request"), string(row, "response"), map(row, "trace_metadata"),
                map(row, "tags"), List.of());
        return new Trace(info, spans(traceId, row));
    }

    /** The judges whose assessments the row carries ({@value Assessments#JUDGE_KEY}, else the assessment name). */
    static Set<String> judgedBy(Row row) {
        Set<String> judges = new HashSet<>();
        int ordinal = row.getSchema().indexOf("assessments");
        if (row.isNullAt(ordinal)) {
            return judges;
        }
        ArrayValue array = row.getArray(ordinal);
        ColumnVector elements = array.getElements();
        StructType element = (StructType) elements.getDataType();
        ColumnVector names = elements.getChild(element.indexOf("assessment_name"));
        ColumnVector metadata = elements.getChild(element.indexOf("metadata"));
        for (int i = 0; i < array.getSize(); i++) {
            String judge = metadata.isNullAt(i) ? null : toMap(metadata.getMap(i)).get(Assessments.JUDGE_KEY);
            judges.add(judge != null ? judge : names.getString(i));
        }
        return judges;
    }

    private static List<Span> spans(String traceId, Row row) {
        int ordinal = row.getSchema().indexOf("spans");
        if (row.isNullAt(ordinal)) {
            return List.of();
        }
        ArrayValue array = row.getArray(ordinal);
        ColumnVector elements = array.getElements();
        StructType type = (StructType) elements.getDataType();
        ColumnVector spanId = elements.getChild(type.indexOf("span_id"));
        ColumnVector parent = elements.getChild(type.indexOf("parent_span_id"));
        ColumnVector name = elements.getChild(type.indexOf("name"));
        ColumnVector spanType = elements.getChild(type.indexOf("span_type"));
        ColumnVector start = elements.getChild(type.indexOf("start_time_unix_nano"));
        ColumnVector end = elements.getChild(type.indexOf("end_time_unix_nano"));
        ColumnVector status = elements.getChild(type.indexOf("status"));
        ColumnVector inputs = elements.getChild(type.indexOf("inputs"));
        ColumnVector outputs = elements.getChild(type.indexOf("outputs"));
        ColumnVector attributes = elements.getChild(type.indexOf("attributes"));
        ColumnVector events = elements.getChild(type.indexOf("events"));
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < array.getSize(); i++) {
            Map<String, String> attrs = attributes.isNullAt(i) ? new HashMap<>() : toMap(attributes.getMap(i));
            if (!spanType.isNullAt(i)) {
                attrs.put(Span.SPAN_TYPE, Json.MAPPER.getNodeFactory().textNode(spanType.getString(i)).toString());
            }
            putIfPresent(attrs, Span.SPAN_INPUTS, inputs, i);
            putIfPresent(attrs, Span.SPAN_OUTPUTS, outputs, i);
            SpanStatus spanStatus = status.isNullAt(i) ? null
                    : new SpanStatus(nullable(status.getChild(0), i), nullable(status.getChild(1), i));
            spans.add(new Span(traceId, nullable(spanId, i), nullable(parent, i), nullable(name, i),
                    start.isNullAt(i) ? 0 : start.getLong(i), end.isNullAt(i) ? 0 : end.getLong(i), spanStatus,
                    events.isNullAt(i) ? List.of() : events(events.getArray(i)), attrs));
        }
        return spans;
    }

    private static List<SpanEvent> events(ArrayValue array) {
        ColumnVector elements = array.getElements();
        List<SpanEvent> events = new ArrayList<>();
        for (int i = 0; i < array.getSize(); i++) {
            ColumnVector time = elements.getChild(1);
            ColumnVector attributes = elements.getChild(2);
            events.add(new SpanEvent(nullable(elements.getChild(0), i), time.isNullAt(i) ? 0 : time.getLong(i),
                    attributes.isNullAt(i) ? Map.of() : toMap(attributes.getMap(i))));
        }
        return events;
    }

    private static void putIfPresent(Map<String, String> attrs, String key, ColumnVector vector, int i) {
        if (!vector.isNullAt(i)) {
            attrs.put(key, vector.getString(i));
        }
    }

    private static String nullable(ColumnVector vector, int i) {
        return vector.isNullAt(i) ? null : vector.getString(i);
    }

    private static String string(Row row, String column) {
        int ordinal = row.getSchema().indexOf(column);
        return row.isNullAt(ordinal) ? null : row.getString(ordinal);
    }

    private static Map<String, String> map(Row row, String column) {
        int ordinal = row.getSchema().indexOf(column);
        return row.isNullAt(ordinal) ? Map.of() : toMap(row.getMap(ordinal));
    }

    private static Map<String, String> toMap(MapValue map) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < map.getSize(); i++) {
            values.put(map.getKeys().getString(i), map.getValues().isNullAt(i) ? null : map.getValues().getString(i));
        }
        return values;
    }
}
