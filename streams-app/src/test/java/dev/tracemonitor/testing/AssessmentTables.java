package dev.tracemonitor.testing;

import dev.tracemonitor.delta.AssessmentRow;
import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.TraceAssessmentsSchema;
import dev.tracemonitor.delta.TraceAssessmentsTable;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Writing Assessments straight into a trace_assessments table, for the readers of those tables. */
public final class AssessmentTables {

    private AssessmentTables() {
    }

    /** Commits the Assessments, all of one create date, as one table version under transaction id {@code test-0}. */
    public static void commit(TraceAssessmentsTable table, long version, Assessment... assessments) throws IOException {
        int date = TraceAssessmentsSchema.createDate(assessments[0].createTimeMillis());
        List<DataFile> files = table.write(date, Stream.of(assessments).map(a -> new AssessmentRow(a, false)).toList());
        table.commit(files, Map.of("test-0", version));
    }

    /** A verdict of {@code judge} on a whole trace, with rationale "because {@code value}". */
    public static Assessment verdict(String traceId, String judge, String value, long createdMillis) {
        return new Assessment(Assessment.deterministicId(traceId, judge, null), judge, traceId, null,
                new AssessmentSource(AssessmentSource.CODE, "test"), createdMillis, createdMillis, Feedback.of(value),
                "because " + value, null);
    }
}
