package dev.tracemonitor.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tracemonitor.model.InvalidTraceException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The spans of one Collector message cut by trace, so that each trace's part can be re-keyed by its trace id and held
 * until the trace is whole. Each part keeps its spans' resource and scope (where the experiment and the scope
 * attributes come from), and parts of the same trace are put back together by protobuf's own rule that concatenated
 * messages merge ({@link #merge}). A span without a valid trace or span id is set aside with the reason, so that it
 * does not lose the other spans of its batch.
 */
public final class OtlpBatches {

    private static final int TRACE_ID_BYTES = 16;
    private static final int SPAN_ID_BYTES = 8;

    /** One message cut by trace: each trace id (lowercase hex) with its part, and why spans were set aside. */
    public record Split(Map<String, ExportTraceServiceRequest> byTrace, List<String> rejected) {
    }

    private OtlpBatches() {
    }

    public static Split split(ExportTraceServiceRequest request) {
        Map<String, ExportTraceServiceRequest.Builder> byTrace = new LinkedHashMap<>();
        List<String> rejected = new ArrayList<>();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                Map<String, ScopeSpans.Builder> scopeOfTrace = new LinkedHashMap<>();
                for (Span span : scopeSpans.getSpansList()) {
                    String problem = problem(span);
                    if (problem != null) {
                        rejected.add(problem);
                        continue;
                    }
                    String traceId = OtlpEncoding.hex(span.getTraceId());
                    scopeOfTrace.computeIfAbsent(traceId, id -> {
                        ScopeSpans.Builder scope = byTrace.computeIfAbsent(id, t -> ExportTraceServiceRequest.newBuilder())
                                .addResourceSpansBuilder()
                                .setResource(resourceSpans.getResource())
                                .setSchemaUrl(resourceSpans.getSchemaUrl())
                                .addScopeSpansBuilder()
                                .setScope(scopeSpans.getScope())
                                .setSchemaUrl(scopeSpans.getSchemaUrl());
                        return scope;
                    }).addSpans(span);
                }
            }
        }
        Map<String, ExportTraceServiceRequest> parts = new LinkedHashMap<>();
        byTrace.forEach((id, builder) -> parts.put(id, builder.build()));
        return new Split(parts, rejected);
    }

    /** The parts of one trace as one request: protobuf merges concatenated messages by appending repeated fields. */
    public static ExportTraceServiceRequest merge(List<byte[]> parts) {
        ExportTraceServiceRequest.Builder merged = ExportTraceServiceRequest.newBuilder();
        for (byte[] part : parts) {
            try {
                merged.mergeFrom(part);
            } catch (InvalidProtocolBufferException e) {
                throw new InvalidTraceException("a held OTLP part is not an ExportTraceServiceRequest: " + e.getMessage());
            }
        }
        return merged.build();
    }

    public static int spanCount(ExportTraceServiceRequest request) {
        int count = 0;
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                count += scopeSpans.getSpansCount();
            }
        }
        return count;
    }

    /**
     * Whether the request holds a root span (no parent). OTLP exporters send a span once it has ended, so a root span
     * that is here has ended.
     */
    public static boolean hasRoot(ExportTraceServiceRequest request) {
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    if (span.getParentSpanId().isEmpty()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String problem(Span span) {
        String id = invalidId(span.getTraceId(), TRACE_ID_BYTES);
        if (id != null) {
            return "span \"" + span.getName() + "\" has " + id + " traceId";
        }
        id = invalidId(span.getSpanId(), SPAN_ID_BYTES);
        return id == null ? null : "span \"" + span.getName() + "\" has " + id + " spanId";
    }

    /** Why an id is not a valid OTLP id (all zero is invalid, as the specification says), or null. */
    private static String invalidId(ByteString id, int length) {
        if (id.size() != length) {
            return id.isEmpty() ? "no" : "a " + id.size() + "-byte";
        }
        for (int i = 0; i < length; i++) {
            if (id.byteAt(i) != 0) {
                return null;
            }
        }
        return "an all-zero";
    }
}
