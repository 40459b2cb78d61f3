package dev.tracemonitor.delta;

import dev.tracemonitor.delta.ColumnBuilders.BooleanColumn;
import dev.tracemonitor.delta.ColumnBuilders.IntColumn;
import dev.tracemonitor.delta.ColumnBuilders.LongColumn;
import dev.tracemonitor.delta.ColumnBuilders.NullMask;
import dev.tracemonitor.delta.ColumnBuilders.StringColumn;
import dev.tracemonitor.delta.ColumnBuilders.StringMapColumn;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Feedback;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.TimestampType;
import java.util.List;
import java.util.Optional;

/** Turns assessments into Kernel columnar data in the {@link TraceAssessmentsSchema} layout. */
public final class AssessmentRowConverter {

    private static final long MAX_EPOCH_MILLIS = Long.MAX_VALUE / 1000;

    private AssessmentRowConverter() {
    }

    /**
     * Checks that an assessment can be converted: its timestamps fit Delta's microsecond timestamps.
     *
     * @throws IllegalArgumentException saying which timestamp does not
     */
    public static void requireConvertible(Assessment assessment) {
        for (long millis : new long[] {assessment.createTimeMillis(), assessment.lastUpdateTimeMillis()}) {
            if (Math.abs(millis) > MAX_EPOCH_MILLIS) {
                throw new IllegalArgumentException("timestamp out of range: " + millis + " ms");
            }
        }
    }

    public static FilteredColumnarBatch toFilteredBatch(List<AssessmentRow> rows) {
        StringColumn traceId = new StringColumn();
        StringColumn assessmentId = new StringColumn();
        StringColumn name = new StringColumn();
        StringColumn spanId = new StringColumn();
        NullMask sourceNulls = new NullMask();
        StringColumn sourceType = new StringColumn();
        StringColumn sourceId = new StringColumn();
        LongColumn createTime = new LongColumn(TimestampType.TIMESTAMP);
        LongColumn lastUpdateTime = new LongColumn(TimestampType.TIMESTAMP);
        IntColumn createDate = new IntColumn(DateType.DATE);
        NullMask feedbackNulls = new NullMask();
        StringColumn value = new StringColumn();
        NullMask errorNulls = new NullMask();
        StringColumn errorCode = new StringColumn();
        StringColumn errorMessage = new StringColumn();
        StringColumn rationale = new StringColumn();
        StringMapColumn metadata = new StringMapColumn();
        BooleanColumn late = new BooleanColumn();
        int row = 0;
        for (AssessmentRow r : rows) {
            Assessment a = r.assessment();
            traceId.add(a.traceId());
            assessmentId.add(a.assessmentId());
            name.add(a.assessmentName());
            spanId.add(a.spanId());
            if (a.source() == null) {
                sourceNulls.mark(row);
                sourceType.add(null);
                sourceId.add(null);
            } else {
                sourceType.add(a.source().sourceType());
                sourceId.add(a.source().sourceId());
            }
            addTimestamp(createTime, a.createTimeMillis());
            addTimestamp(lastUpdateTime, a.lastUpdateTimeMillis());
            createDate.add(TraceAssessmentsSchema.createDate(a.createTimeMillis()));
            Feedback feedback = a.feedback();
            if (feedback == null) {
                feedbackNulls.mark(row);
            }
            value.add(feedback == null ? null : TraceRowConverter.feedbackValue(feedback.value()));
            if (feedback == null || feedback.error() == null) {
                errorNulls.mark(row);
                errorCode.add(null);
                errorMessage.add(null);
            } else {
                errorCode.add(feedback.error().errorCode());
                errorMessage.add(feedback.error().errorMessage());
            }
            rationale.add(a.rationale());
            metadata.add(a.metadata());
            late.add(r.late());
            row++;
        }
        int n = row;
        ColumnVector source = new Vectors.Struct(TraceLogsSchema.ASSESSMENT_SOURCE,
                new ColumnVector[] {sourceType.build(), sourceId.build()}, sourceNulls.build(n), n);
        ColumnVector error = new Vectors.Struct(TraceLogsSchema.ASSESSMENT_ERROR,
                new ColumnVector[] {errorCode.build(), errorMessage.build()}, errorNulls.build(n), n);
        ColumnVector feedbackVector = new Vectors.Struct(TraceLogsSchema.FEEDBACK,
                new ColumnVector[] {value.build(), error}, feedbackNulls.build(n), n);
        ColumnVector[] vectors = {
                traceId.build(), assessmentId.build(), name.build(), spanId.build(), source, createTime.build(),
                lastUpdateTime.build(), createDate.build(), feedbackVector, rationale.build(), metadata.build(),
                late.build()
        };
        return new FilteredColumnarBatch(new Vectors.Batch(TraceAssessmentsSchema.SCHEMA, vectors, n),
                Optional.empty());
    }

    private static void addTimestamp(LongColumn column, long epochMillis) {
        if (epochMillis == 0L) {
            column.addNull();
        } else {
            column.add(Math.multiplyExact(epochMillis, 1000L));
        }
    }
}
