package dev.tracemonitor.model;

import java.util.ArrayList;
import java.util.List;

/** An MLflow trace: {@code {"info": TraceInfo, "data": {"spans": [Span]}}}. */
public record Trace(TraceInfo info, List<Span> spans) {

    public Trace {
        spans = spans == null ? List.of() : List.copyOf(spans);
    }

    public String traceId() {
        return info.traceId();
    }

    public Trace withAssessments(List<Assessment> assessments) {
        return new Trace(info.withAssessments(assessments), spans);
    }

    public Trace withTag(String key, String value) {
        return new Trace(info.withTag(key, value), spans);
    }

    /** The root span (no parent), or the first span when none is marked as root; null for a trace without spans. */
    public Span rootSpan() {
        for (Span span : spans) {
            if (span.isRoot()) {
                return span;
            }
        }
        return spans.isEmpty() ? null : spans.get(0);
    }

    public List<Span> children(String spanId) {
        List<Span> children = new ArrayList<>();
        for (Span span : spans) {
            if (spanId != null && spanId.equals(span.parentSpanId())) {
                children.add(span);
            }
        }
        return children;
    }
}
