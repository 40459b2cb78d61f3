package dev.tracemonitor.web;

import java.util.List;

/** One row of a {@code trace_logs} table as the trace view shows it: the request, the response and the spans. */
public record TraceView(String traceId, long requestTimeMillis, String state, Long executionDurationMs, String request,
                        String response, List<SpanView> spans) {

    /** One span of the trace. */
    public record SpanView(String spanId, String parentSpanId, String name, String spanType, long startTimeUnixNano,
                           long endTimeUnixNano, String statusCode, String inputs, String outputs) {
    }
}
