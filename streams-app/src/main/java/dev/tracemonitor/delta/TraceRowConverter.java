package dev.tracemonitor.delta;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tracemonitor.delta.ColumnBuilders.IntColumn;
import dev.tracemonitor.delta.ColumnBuilders.LongColumn;
import dev.tracemonitor.delta.ColumnBuilders.NullMask;
import dev.tracemonitor.delta.ColumnBuilders.Offsets;
import dev.tracemonitor.delta.ColumnBuilders.StringColumn;
import dev.tracemonitor.delta.ColumnBuilders.StringMapColumn;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.TokenCounts;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import dev.tracemonitor.model.TraceText;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.TimestampType;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a batch of traces into Kernel columnar data in the {@link TraceLogsSchema} layout, in one pass and without
 * re-encoding any JSON: attribute values are already JSON text and are stored as they are. Timestamps that the trace
 * does not carry (decoded as 0) are stored as null.
 */
public final class TraceRowConverter {

    private static final long MAX_EPOCH_MILLIS = Long.MAX_VALUE / 1000;
    private static final Set<String> SPAN_COLUMN_ATTRIBUTES = Set.of(Span.SPAN_TYPE, Span.SPAN_INPUTS, Span.SPAN_OUTPUTS);

    private TraceRowConverter() {
    }

    public static FilteredColumnarBatch toFilteredBatch(List<Trace> traces) {
        return new FilteredColumnarBatch(toBatch(traces), Optional.empty());
    }

    public static ColumnarBatch toBatch(List<Trace> traces) {
        TraceColumns columns = new TraceColumns();
        for (Trace trace : traces) {
            columns.add(trace);
        }
        return columns.build(traces.size());
    }

    /**
     * Checks that a trace can be converted: its timestamps fit Delta's microsecond timestamps.
     *
     * @throws IllegalArgumentException saying which timestamp does not
     */
    public static void requireConvertible(Trace trace) {
        requireMicrosRange("request_time", trace.info().requestTimeMillis());
        for (Assessment a : trace.info().assessments()) {
            requireMicrosRange("create_time", a.createTimeMillis());
            requireMicrosRange("last_update_time", a.lastUpdateTimeMillis());
        }
    }

    private static void requireMicrosRange(String field, long epochMillis) {
        if (Math.abs(epochMillis) > MAX_EPOCH_MILLIS) {
            throw new IllegalArgumentException(field + " out of range: " + epochMillis + " ms");
        }
    }

    /** The text of a feedback value: a string as itself, anything else (number, boolean, object) as its JSON. */
    static String feedbackValue(Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    private static void addMillisAsTimestamp(LongColumn column, long epochMillis) {
        if (epochMillis == 0L) {
            column.addNull();
        } else {
            column.add(Math.multiplyExact(epochMillis, 1000L));
        }
    }

    private static final class TraceColumns {
        private final StringColumn traceId = new StringColumn();
        private final StringColumn clientRequestId = new StringColumn();
        private final LongColumn requestTime = new LongColumn(TimestampType.TIMESTAMP);
        private final IntColumn requestDate = new IntColumn(DateType.DATE);
        private final StringColumn state = new StringColumn();
        private final LongColumn executionDurationMs = new LongColumn(LongType.LONG);
        private final StringColumn request = new StringColumn();
        private final StringColumn response = new StringColumn();
        private final StringMapColumn traceMetadata = new StringMapColumn();
        private final StringMapColumn tags = new StringMapColumn();
        private final LocationColumns location = new LocationColumns();
        private final AssessmentColumns assessments = new AssessmentColumns();
        private final SpanColumns spans = new SpanColumns();
        private final LongColumn inputTokens = new LongColumn(LongType.LONG);
        private final LongColumn outputTokens = new LongColumn(LongType.LONG);
        private final LongColumn totalTokens = new LongColumn(LongType.LONG);

        void add(Trace trace) {
            TraceInfo info = trace.info();
            traceId.add(info.traceId());
            clientRequestId.add(info.clientRequestId());
            requestTime.add(Math.multiplyExact(info.requestTimeMillis(), 1000L));
            requestDate.add(TraceLogsSchema.requestDate(info.requestTimeMillis()));
            state.add(info.state());
            executionDurationMs.add(info.executionDurationMillis());
            request.add(TraceText.request(trace));
            response.add(TraceText.response(trace));
            traceMetadata.add(info.traceMetadata());
            tags.add(info.tags());
            location.add(info.traceLocation());
            assessments.add(info.assessments());
            spans.add(trace.spans());
            TokenCounts tokens = TokenCounts.of(trace);
            inputTokens.add(tokens.input());
            outputTokens.add(tokens.output());
            totalTokens.add(tokens.total());
        }

        ColumnarBatch build(int size) {
            ColumnVector[] vectors = {
                    traceId.build(), clientRequestId.build(), requestTime.build(), requestDate.build(), state.build(),
                    executionDurationMs.build(), request.build(), response.build(), traceMetadata.build(), tags.build(),
                    location.build(size), assessments.build(), spans.build(), inputTokens.build(),
                    outputTokens.build(), totalTokens.build()
            };
            return new Vectors.Batch(TraceLogsSchema.SCHEMA, vectors, size);
        }
    }

    private static final class LocationColumns {
        private final NullMask nulls = new NullMask();
        private final StringColumn type = new StringColumn();
        private final NullMask experimentNulls = new NullMask();
        private final StringColumn experimentId = new StringColumn();

        void add(TraceLocation location) {
            int row = type.size();
            if (location == null) {
                nulls.mark(row);
                experimentNulls.mark(row);
                type.add(null);
                experimentId.add(null);
                return;
            }
            type.add(location.type());
            if (location.experimentId() == null) {
                experimentNulls.mark(row);
            }
            experimentId.add(location.experimentId());
        }

        ColumnVector build(int size) {
            ColumnVector experiment = new Vectors.Struct(TraceLogsSchema.MLFLOW_EXPERIMENT,
                    new ColumnVector[] {experimentId.build()}, experimentNulls.build(size), size);
            return new Vectors.Struct(TraceLogsSchema.TRACE_LOCATION,
                    new ColumnVector[] {type.build(), experiment}, nulls.build(size), size);
        }
    }

    private static final class AssessmentColumns {
        private final Offsets offsets = new Offsets();
        private final StringColumn assessmentId = new StringColumn();
        private final StringColumn assessmentName = new StringColumn();
        private final StringColumn traceId = new StringColumn();
        private final StringColumn spanId = new StringColumn();
        private final NullMask sourceNulls = new NullMask();
        private final StringColumn sourceType = new StringColumn();
        private final StringColumn sourceId = new StringColumn();
        private final LongColumn createTime = new LongColumn(TimestampType.TIMESTAMP);
        private final LongColumn lastUpdateTime = new LongColumn(TimestampType.TIMESTAMP);
        private final NullMask feedbackNulls = new NullMask();
        private final StringColumn feedbackValue = new StringColumn();
        private final NullMask errorNulls = new NullMask();
        private final StringColumn errorCode = new StringColumn();
        private final StringColumn errorMessage = new StringColumn();
        private final StringColumn rationale = new StringColumn();
        private final StringMapColumn metadata = new StringMapColumn();

        void add(List<Assessment> list) {
            for (Assessment a : list) {
                int element = assessmentId.size();
                assessmentId.add(a.assessmentId());
                assessmentName.add(a.assessmentName());
                traceId.add(a.traceId());
                spanId.add(a.spanId());
                if (a.source() == null) {
                    sourceNulls.mark(element);
                    sourceType.add(null);
                    sourceId.add(null);
                } else {
                    sourceType.add(a.source().sourceType());
                    sourceId.add(a.source().sourceId());
                }
                addMillisAsTimestamp(createTime, a.createTimeMillis());
                addMillisAsTimestamp(lastUpdateTime, a.lastUpdateTimeMillis());
                addFeedback(element, a.feedback());
                rationale.add(a.rationale());
                metadata.add(a.metadata());
            }
            offsets.endRow(assessmentId.size());
        }

        private void addFeedback(int element, Feedback feedback) {
            if (feedback == null) {
                feedbackNulls.mark(element);
                errorNulls.mark(element);
                feedbackValue.add(null);
                errorCode.add(null);
                errorMessage.add(null);
                return;
            }
            feedbackValue.add(feedbackValue(feedback.value()));
            if (feedback.error() == null) {
                errorNulls.mark(element);
                errorCode.add(null);
                errorMessage.add(null);
            } else {
                errorCode.add(feedback.error().errorCode());
                errorMessage.add(feedback.error().errorMessage());
            }
        }

        ColumnVector build() {
            int n = assessmentId.size();
            ColumnVector source = new Vectors.Struct(TraceLogsSchema.ASSESSMENT_SOURCE,
                    new ColumnVector[] {sourceType.build(), sourceId.build()}, sourceNulls.build(n), n);
            ColumnVector error = new Vectors.Struct(TraceLogsSchema.ASSESSMENT_ERROR,
                    new ColumnVector[] {errorCode.build(), errorMessage.build()}, errorNulls.build(n), n);
            ColumnVector feedback = new Vectors.Struct(TraceLogsSchema.FEEDBACK,
                    new ColumnVector[] {feedbackValue.build(), error}, feedbackNulls.build(n), n);
            ColumnVector element = new Vectors.Struct(TraceLogsSchema.ASSESSMENT, new ColumnVector[] {
                    assessmentId.build(), assessmentName.build(), traceId.build(), spanId.build(), source,
                    createTime.build(), lastUpdateTime.build(), feedback, rationale.build(), metadata.build()
            }, null, n);
            return new Vectors.Arrays((ArrayType) TraceLogsSchema.SCHEMA.get("assessments").getDataType(),
                    offsets.offsets(), element, offsets.nulls(), offsets.size());
        }
    }

    private static final class SpanColumns {
        private final Offsets offsets = new Offsets();
        private final StringColumn spanId = new StringColumn();
        private final StringColumn parentSpanId = new StringColumn();
        private final StringColumn name = new StringColumn();
        private final StringColumn spanType = new StringColumn();
        private final LongColumn start = new LongColumn(LongType.LONG);
        private final LongColumn end = new LongColumn(LongType.LONG);
        private final NullMask statusNulls = new NullMask();
        private final StringColumn statusCode = new StringColumn();
        private final StringColumn statusMessage = new StringColumn();
        private final StringColumn inputs = new StringColumn();
        private final StringColumn outputs = new StringColumn();
        private final StringMapColumn attributes = new StringMapColumn();
        private final Offsets eventOffsets = new Offsets();
        private final StringColumn eventName = new StringColumn();
        private final LongColumn eventTime = new LongColumn(LongType.LONG);
        private final StringMapColumn eventAttributes = new StringMapColumn();

        void add(List<Span> list) {
            for (Span span : list) {
                int element = spanId.size();
                spanId.add(span.spanId());
                parentSpanId.add(span.parentSpanId());
                name.add(span.name());
                spanType.add(span.spanType());
                start.add(span.startTimeUnixNano());
                end.add(span.endTimeUnixNano());
                if (span.status() == null) {
                    statusNulls.mark(element);
                    statusCode.add(null);
                    statusMessage.add(null);
                } else {
                    statusCode.add(span.status().code());
                    statusMessage.add(span.status().message());
                }
                inputs.add(span.inputsJson());
                outputs.add(span.outputsJson());
                attributes.add(span.attributes(), SPAN_COLUMN_ATTRIBUTES);
                for (SpanEvent event : span.events()) {
                    eventName.add(event.name());
                    eventTime.add(event.timeUnixNano());
                    eventAttributes.add(event.attributes());
                }
                eventOffsets.endRow(eventName.size());
            }
            offsets.endRow(spanId.size());
        }

        ColumnVector build() {
            int n = spanId.size();
            int eventCount = eventName.size();
            ColumnVector eventElement = new Vectors.Struct(TraceLogsSchema.SPAN_EVENT, new ColumnVector[] {
                    eventName.build(), eventTime.build(), eventAttributes.build()
            }, null, eventCount);
            ColumnVector events = new Vectors.Arrays((ArrayType) TraceLogsSchema.SPAN.get("events").getDataType(),
                    eventOffsets.offsets(), eventElement, eventOffsets.nulls(), eventOffsets.size());
            ColumnVector status = new Vectors.Struct(TraceLogsSchema.SPAN_STATUS,
                    new ColumnVector[] {statusCode.build(), statusMessage.build()}, statusNulls.build(n), n);
            ColumnVector element = new Vectors.Struct(TraceLogsSchema.SPAN, new ColumnVector[] {
                    spanId.build(), parentSpanId.build(), name.build(), spanType.build(), start.build(), end.build(),
                    status, inputs.build(), outputs.build(), attributes.build(), events
            }, null, n);
            return new Vectors.Arrays((ArrayType) TraceLogsSchema.SCHEMA.get("spans").getDataType(),
                    offsets.offsets(), element, offsets.nulls(), offsets.size());
        }
    }
}
