package dev.tracemonitor.otlp;

import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanEvent;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * OTLP spans as the service's MLflow traces, one per trace id, the way MLflow stores spans it ingests over OTLP:
 * ids as lowercase hex, the trace named {@code tr-<trace id>}, times in ns, statuses as {@code STATUS_CODE_*},
 * attributes by {@link OtlpAttributes}. What MLflow's span dict has no field for follows OpenTelemetry's mapping to
 * non-OTLP formats: the span kind as attribute {@value #SPAN_KIND} ({@code server}, {@code client}, …; absent when
 * unspecified), the scope as {@value #SCOPE_NAME} / {@value #SCOPE_VERSION}.
 *
 * <p>A trace's request time is its earliest span start, its duration the latest end minus that, its state
 * {@code ERROR} when a root span's status is an error and {@code OK} otherwise. The spans of one batch need not be
 * the whole trace: assembling a trace across batches is the caller's.
 */
public final class OtlpTraces {

    public static final String TRACE_ID_PREFIX = "tr-";
    public static final String SPAN_KIND = "span.kind";
    public static final String SCOPE_NAME = "otel.scope.name";
    public static final String SCOPE_VERSION = "otel.scope.version";

    private final OtlpExperiments experiments;

    public OtlpTraces(OtlpExperiments experiments) {
        this.experiments = experiments;
    }

    /**
     * The traces of one export request, in the order their first span appears.
     *
     * @throws MissingExperimentException a trace whose spans name no experiment (the message names the trace)
     * @throws InvalidTraceException a span without a trace or span id
     */
    public List<Trace> traces(ExportTraceServiceRequest request) {
        Map<String, List<Span>> spansByTrace = new LinkedHashMap<>();
        Map<String, String> experimentByTrace = new LinkedHashMap<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            List<KeyValue> resource = resourceSpans.getResource().getAttributesList();
            String resourceExperiment = resourceExperiment(resource);
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span otlp : scopeSpans.getSpansList()) {
                    Span span = span(otlp, scopeSpans.getScope());
                    spansByTrace.computeIfAbsent(span.traceId(), id -> new ArrayList<>()).add(span);
                    String experiment = resourceExperiment != null ? resourceExperiment
                            : OtlpAttributes.text(otlp.getAttributesList(), experiments.attribute());
                    if (experiment != null) {
                        experimentByTrace.putIfAbsent(span.traceId(), experiment);
                    }
                }
            }
        }
        List<Trace> traces = new ArrayList<>();
        spansByTrace.forEach((traceId, spans) -> traces.add(trace(traceId, spans, experimentByTrace.get(traceId))));
        return traces;
    }

    private String resourceExperiment(List<KeyValue> resource) {
        String experiment = OtlpAttributes.text(resource, experiments.attribute());
        if (experiment != null) {
            return experiment;
        }
        String service = OtlpAttributes.text(resource, OtlpExperiments.SERVICE_NAME);
        return service == null ? null : experiments.byServiceName().get(service);
    }

    private static Trace trace(String traceId, List<Span> spans, String experiment) {
        if (experiment == null) {
            throw new MissingExperimentException("the OTLP spans of trace " + traceId + " name no experiment: no "
                    + "resource or span attribute gives one, and no mapping from service.name does");
        }
        long start = Long.MAX_VALUE;
        long end = 0;
        Set<String> ids = new HashSet<>();
        spans.forEach(span -> ids.add(span.spanId()));
        boolean rootFailed = false;
        for (Span span : spans) {
            start = Math.min(start, span.startTimeUnixNano());
            end = Math.max(end, span.endTimeUnixNano());
            boolean root = span.isRoot() || !ids.contains(span.parentSpanId());
            rootFailed |= root && (SpanStatus.PREFIX + "ERROR").equals(span.status().code());
        }
        TraceInfo info = new TraceInfo(TRACE_ID_PREFIX + traceId, null, TraceLocation.experiment(experiment),
                start / 1_000_000L, Math.max(0, end - start) / 1_000_000L, rootFailed ? "ERROR" : "OK", null, null,
                Map.of(), Map.of(), List.of());
        return new Trace(info, spans);
    }

    private static Span span(io.opentelemetry.proto.trace.v1.Span otlp, InstrumentationScope scope) {
        String traceId = OtlpEncoding.hex(otlp.getTraceId());
        String spanId = OtlpEncoding.hex(otlp.getSpanId());
        if (traceId == null || spanId == null) {
            throw new InvalidTraceException("OTLP span \"" + otlp.getName()
                    + "\" has no " + (traceId == null ? "traceId" : "spanId"));
        }
        Map<String, String> attributes = OtlpAttributes.of(otlp.getAttributesList());
        switch (otlp.getKind()) {
            case SPAN_KIND_UNSPECIFIED, UNRECOGNIZED -> { }
            default -> attributes.put(SPAN_KIND,
                    otlp.getKind().name().substring("SPAN_KIND_".length()).toLowerCase(Locale.ROOT));
        }
        if (!scope.getName().isEmpty()) {
            attributes.put(SCOPE_NAME, scope.getName());
        }
        if (!scope.getVersion().isEmpty()) {
            attributes.put(SCOPE_VERSION, scope.getVersion());
        }
        List<SpanEvent> events = new ArrayList<>();
        for (io.opentelemetry.proto.trace.v1.Span.Event event : otlp.getEventsList()) {
            events.add(new SpanEvent(event.getName(), event.getTimeUnixNano(),
                    OtlpAttributes.of(event.getAttributesList())));
        }
        return new Span(traceId, spanId, OtlpEncoding.hex(otlp.getParentSpanId()), otlp.getName(),
                otlp.getStartTimeUnixNano(), otlp.getEndTimeUnixNano(), status(otlp.getStatus()), events, attributes);
    }

    private static SpanStatus status(Status status) {
        Status.StatusCode code = status.getCode() == Status.StatusCode.UNRECOGNIZED
                ? Status.StatusCode.STATUS_CODE_UNSET : status.getCode();
        return new SpanStatus(SpanStatus.normalizeCode(code.name()), status.getMessage());
    }
}
