package dev.tracemonitor.sink;

import dev.tracemonitor.delta.AssessmentRow;
import dev.tracemonitor.delta.AssessmentRowConverter;
import dev.tracemonitor.delta.DeltaTable;
import dev.tracemonitor.delta.TraceAssessmentsTable;
import dev.tracemonitor.delta.TraceLogsTable;
import dev.tracemonitor.delta.TraceRowConverter;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.FeedbackHeaders;
import dev.tracemonitor.serde.TraceFormats;
import dev.tracemonitor.serde.TraceJsonCodec;
import io.delta.kernel.engine.Engine;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a {@link DeltaSink} writes: which tables (by name prefix, under {@code <warehouse>/<catalog>/<schema>/}), and
 * how a record of its topic becomes a row of them. Both kinds take the table from the record's
 * {@link TableAddress} headers.
 */
public enum SinkTableKind {

    /** {@code traces-assessed} → {@code trace_logs_<experiment_id>}: one row per trace, with its assessments. */
    TRACE_LOGS("trace_logs_") {
        @Override
        Object decode(ConsumerRecord<byte[], byte[]> record) {
            Trace trace = TraceJsonCodec.decode(record.value());
            TraceRowConverter.requireConvertible(trace);
            return trace;
        }

        @Override
        DeltaTable<?> open(Engine engine, String path) {
            return new TraceLogsTable(engine, path);
        }
    },

    /**
     * {@code trace-feedback} → {@code trace_assessments_<experiment_id>}: one row per Assessment, with {@code late}
     * from the record's {@link FeedbackHeaders#LATE} header.
     */
    TRACE_ASSESSMENTS("trace_assessments_") {
        @Override
        Object decode(ConsumerRecord<byte[], byte[]> record) {
            Assessment assessment = TraceFormats.decodeFeedback(record.value());
            AssessmentRowConverter.requireConvertible(assessment);
            return new AssessmentRow(assessment, FeedbackHeaders.isLate(record.headers()));
        }

        @Override
        DeltaTable<?> open(Engine engine, String path) {
            return new TraceAssessmentsTable(engine, path);
        }
    };

    private final String tablePrefix;

    SinkTableKind(String tablePrefix) {
        this.tablePrefix = tablePrefix;
    }

    /** Table directory names are this prefix followed by the experiment id. */
    public String tablePrefix() {
        return tablePrefix;
    }

    /**
     * The location of a monitor's table of this kind under a warehouse root (a local path or a Hadoop URI such as
     * {@code s3a://bucket/wh}): {@code <warehouse>/<catalog>/<schema>/<prefix><experiment_id>}.
     */
    public String path(TableAddress address, String warehouse) {
        String root = warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
        return root + "/" + address.catalogName() + "/" + address.schemaName() + "/" + tablePrefix
                + address.experimentId();
    }

    /** The row a record holds; throws (a {@link RuntimeException}) when the record cannot be one. */
    abstract Object decode(ConsumerRecord<byte[], byte[]> record);

    abstract DeltaTable<?> open(Engine engine, String path);
}
