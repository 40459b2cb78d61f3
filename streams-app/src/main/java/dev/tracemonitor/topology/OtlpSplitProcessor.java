package dev.tracemonitor.topology;

import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.otlp.OtlpBatches;
import dev.tracemonitor.otlp.OtlpEncoding;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads one message of the OTLP input (an {@code ExportTraceServiceRequest} as the Collector's Kafka exporter writes
 * it) and forwards each trace's spans, keyed by trace id, to the topic that brings all spans of a trace to one task:
 * without {@code partition_traces_by_id} the exporter keys nothing, and even with it the spans of one trace come in
 * several messages. A message that is not an export request goes to the dead-letter topic unchanged, with the reason;
 * so does one with spans that have no valid trace or span id, naming them, after its other spans went on.
 */
final class OtlpSplitProcessor implements Processor<byte[], byte[], Object, Object> {

    static final String STAGE = "otlp-decode";

    private final OtlpEncoding encoding;
    private final TraceMonitorMetrics metrics;
    private ProcessorContext<Object, Object> context;

    OtlpSplitProcessor(OtlpEncoding encoding, TraceMonitorMetrics metrics) {
        this.encoding = encoding;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        ExportTraceServiceRequest request;
        try {
            request = encoding.parse(record.value());
        } catch (InvalidTraceException e) {
            deadLetter(record, e.getMessage(), "invalid_otlp");
            return;
        }
        OtlpBatches.Split split = OtlpBatches.split(request);
        split.byTrace().forEach((traceId, part) -> context.forward(
                new Record<Object, Object>(traceId, part.toByteArray(), record.timestamp()),
                TraceMonitorTopology.OTLP_SPANS_SINK));
        List<String> rejected = split.rejected();
        if (!rejected.isEmpty()) {
            deadLetter(record, rejected.size() + " span(s) of this message were not processed (the others were): "
                    + String.join("; ", rejected.subList(0, Math.min(5, rejected.size())))
                    + (rejected.size() > 5 ? "; …" : ""), "invalid_otlp_span");
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, String reason, String kind) {
        DeadLetter.of(context, STAGE).forward(context, metrics, record.key(), record.value(), record.timestamp(),
                record.headers(), reason, kind);
    }
}
