package dev.tracemonitor.judges.template;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What each template variable stands for in one trace, as MLflow's {@code make_judge} fills them: {@code inputs} and
 * {@code outputs} are the root span's (else the request and response previews), {@code trace} a compact rendering of
 * the span tree (name, type, status, duration, inputs and outputs of each span, bounded), {@code expectations} the
 * trace's expectation assessments by name. Every value is bounded, so a huge trace cannot make a huge prompt; empty
 * means the trace has nothing for that variable and the judge does not apply.
 */
public final class TemplateValues {

    /** At most this many characters per variable; a longer value is cut and says so. */
    public static final int MAX_CHARS = 16_000;
    /** At most this many characters of one span's inputs or outputs in {@code {{ trace }}}. */
    static final int MAX_SPAN_PAYLOAD_CHARS = 1_000;

    private TemplateValues() {
    }

    public static Optional<String> of(TemplateVariable variable, Trace trace) {
        String value = switch (variable) {
            case INPUTS -> payload(trace.rootSpan() == null ? null : trace.rootSpan().inputsJson(),
                    TraceText.request(trace));
            case OUTPUTS -> payload(trace.rootSpan() == null ? null : trace.rootSpan().outputsJson(),
                    TraceText.response(trace));
            case TRACE -> trace.spans().isEmpty() ? null : spanTree(trace);
            case EXPECTATIONS -> expectations(trace);
        };
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(cut(value, MAX_CHARS));
    }

    private static String payload(String json, String fallback) {
        return json != null && !json.isBlank() && !json.equals("null") ? json : fallback;
    }

    private static String expectations(Trace trace) {
        Map<String, Object> byName = new LinkedHashMap<>();
        for (Assessment a : trace.info().assessments()) {
            if (a.isExpectation()) {
                byName.put(a.assessmentName(), a.expectation());
            }
        }
        if (byName.isEmpty()) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(byName);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an expectation read from JSON is written as JSON", e);
        }
    }

    /** One line per span, indented by depth, children in start order, then its inputs and outputs. */
    private static String spanTree(Trace trace) {
        StringBuilder out = new StringBuilder();
        Map<String, List<Span>> children = new HashMap<>();
        List<Span> roots = new ArrayList<>();
        for (Span span : trace.spans()) {
            if (span.isRoot()) {
                roots.add(span);
            } else {
                children.computeIfAbsent(span.parentSpanId(), k -> new ArrayList<>()).add(span);
            }
        }
        if (roots.isEmpty()) {
            roots.addAll(trace.spans());
        }
        for (Span root : byStart(roots)) {
            render(children, root, 0, out);
        }
        return out.toString();
    }

    private static void render(Map<String, List<Span>> children, Span span, int depth, StringBuilder out) {
        if (out.length() > MAX_CHARS || depth > 64) {
            return;
        }
        String indent = "  ".repeat(depth);
        out.append(indent).append("- ").append(span.name());
        if (span.spanType() != null) {
            out.append(" [").append(span.spanType()).append(']');
        }
        if (span.status() != null && span.status().code() != null) {
            out.append(' ').append(span.status().code());
        }
        long nanos = span.endTimeUnixNano() - span.startTimeUnixNano();
        if (nanos >= 0 && span.endTimeUnixNano() > 0) {
            out.append(' ').append(nanos / 1_000_000).append(" ms");
        }
        out.append('\n');
        if (span.inputsJson() != null) {
            out.append(indent).append("  inputs: ").append(cut(span.inputsJson(), MAX_SPAN_PAYLOAD_CHARS)).append('\n');
        }
        if (span.outputsJson() != null) {
            out.append(indent).append("  outputs: ").append(cut(span.outputsJson(), MAX_SPAN_PAYLOAD_CHARS))
                    .append('\n');
        }
        for (Span child : byStart(children.getOrDefault(span.spanId(), List.of()))) {
            render(children, child, depth + 1, out);
        }
    }

    private static List<Span> byStart(List<Span> spans) {
        return spans.stream().sorted(Comparator.comparingLong(Span::startTimeUnixNano)).toList();
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + " … (" + (text.length() - max)
                + " more characters)";
    }
}
