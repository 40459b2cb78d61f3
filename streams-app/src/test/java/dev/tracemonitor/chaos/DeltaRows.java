package dev.tracemonitor.chaos;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.delta.TraceLogsSchema;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** Reads what the tests assert on from the Delta tables, with Kernel. */
final class DeltaRows {

    /** One assessment as a table row holds it. */
    record AssessmentKey(String traceId, String name, String assessmentId, boolean late) {
    }

    private static final Engine ENGINE = DefaultEngine.create(new Configuration());
    private static final int TL_ASSESSMENTS = TraceLogsSchema.SCHEMA.indexOf("assessments");
    private static final int TA_TRACE_ID = TraceAssessmentsSchema.SCHEMA.indexOf("trace_id");
    private static final int TA_ID = TraceAssessmentsSchema.SCHEMA.indexOf("assessment_id");
    private static final int TA_NAME = TraceAssessmentsSchema.SCHEMA.indexOf("assessment_name");
    private static final int TA_LATE = TraceAssessmentsSchema.SCHEMA.indexOf("late");

    private DeltaRows() {
    }

    /** Rows of a table by its files' statistics (0 when there is no table yet). */
    static long rows(String tablePath) {
        return DeltaTableStats.read(ENGINE, tablePath).map(DeltaTableStats::rows).orElse(0L);
    }

    static List<String> traceIds(String traceLogsPath) {
        return DeltaTableStats.read(ENGINE, traceLogsPath).orElseThrow().traceIds();
    }

    /** Every assessment inside the trace_logs rows ({@code late} false: they came with their trace). */
    static List<AssessmentKey> traceLogsAssessments(String traceLogsPath) {
        List<AssessmentKey> keys = new ArrayList<>();
        DeltaTableStats.read(ENGINE, traceLogsPath).orElseThrow().forEachRow(row -> {
            if (row.isNullAt(TL_ASSESSMENTS)) {
                return;
            }
            ArrayValue array = row.getArray(TL_ASSESSMENTS);
            ColumnVector elements = array.getElements();
            ColumnVector ids = elements.getChild(0);
            ColumnVector names = elements.getChild(1);
            ColumnVector traceIds = elements.getChild(2);
            for (int i = 0; i < array.getSize(); i++) {
                keys.add(new AssessmentKey(traceIds.getString(i), names.getString(i), ids.getString(i), false));
            }
        });
        return keys;
    }

    /** Every row of a trace_assessments table. */
    static List<AssessmentKey> assessmentRows(String assessmentsPath) {
        List<AssessmentKey> keys = new ArrayList<>();
        DeltaTableStats.read(ENGINE, assessmentsPath).orElseThrow().forEachRow(row -> keys.add(new AssessmentKey(
                row.getString(TA_TRACE_ID), row.getString(TA_NAME), row.getString(TA_ID), row.getBoolean(TA_LATE))));
        return keys;
    }
}
