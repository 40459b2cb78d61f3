package dev.tracemonitor.scorers;

import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import dev.tracemonitor.scorer.ScoredSpan;
import dev.tracemonitor.scorer.ScoredTrace;
import java.util.ArrayList;
import java.util.List;

/** The plugin API's read-only view of a decoded trace; the request and response text are the builtin judges'. */
final class ScoredTraces {

    private ScoredTraces() {
    }

    static ScoredTrace of(Trace trace) {
        List<ScoredSpan> spans = new ArrayList<>(trace.spans().size());
        for (Span span : trace.spans()) {
            spans.add(new ScoredSpan(span.spanId(), span.isRoot() ? null : span.parentSpanId(), span.name(),
                    span.spanType(), span.inputsJson(), span.outputsJson(), span.attributes(),
                    span.startTimeUnixNano(), span.endTimeUnixNano(),
                    span.status() == null ? null : span.status().code()));
        }
        Span root = trace.rootSpan();
        return new ScoredTrace(trace.traceId(), trace.info().experimentId(), TraceText.request(trace),
                TraceText.response(trace), root == null ? null : root.inputsJson(),
                root == null ? null : root.outputsJson(), trace.info().tags(), trace.info().traceMetadata(), spans);
    }
}
