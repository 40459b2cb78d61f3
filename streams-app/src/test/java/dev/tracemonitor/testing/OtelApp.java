package dev.tracemonitor.testing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A small RAG app instrumented with the OpenTelemetry Java SDK: each request is a root SERVER span (OpenInference
 * {@code input.value} / {@code output.value}), a RETRIEVER span with its documents ({@code retrieval.documents.N.*})
 * and an LLM CLIENT span with GenAI semantic-convention attributes. The SDK exports each span when it ends (children
 * before their root), and {@link #messages} marshals them with the SDK's own OTLP code into the messages the
 * Collector's Kafka exporter writes: {@code ExportTraceServiceRequest} batches as protobuf or OTLP/JSON.
 */
public final class OtelApp implements AutoCloseable {

    /** What one request asked, answered and retrieved, with the ids the SDK gave its spans (lowercase hex). */
    public record Request(String traceId, String rootSpanId, String question, String answer, List<String> documents) {
    }

    private final List<SpanData> exported = Collections.synchronizedList(new ArrayList<>());
    private final SdkTracerProvider provider;
    private final Tracer tracer;

    public OtelApp(String experimentId) {
        SpanExporter collector = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                exported.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), "rag-app",
                        AttributeKey.stringKey("mlflow.experimentId"), experimentId))))
                .addSpanProcessor(SimpleSpanProcessor.create(collector))
                .build();
        tracer = provider.get("rag-app", "1.0.0");
    }

    /** Serves one request, question {@code i}, and returns what its spans carry. */
    public Request serve(int i) {
        String question = "What is the refund window for order " + i + "?";
        String answer = "Order " + i + " can be refunded within 30 days.";
        List<String> documents = List.of("Refunds are accepted within 30 days (policy " + i + ").",
                "Shipping takes 3 to 5 days.");
        Span root = tracer.spanBuilder("rag-app.answer").setSpanKind(SpanKind.SERVER).startSpan();
        try (Scope ignored = root.makeCurrent()) {
            root.setAttribute("openinference.span.kind", "CHAIN");
            root.setAttribute("input.value", question);
            root.setAttribute("output.value", answer);
            Span retriever = tracer.spanBuilder("retrieve").startSpan();
            retriever.setAttribute("openinference.span.kind", "RETRIEVER");
            retriever.setAttribute("input.value", question);
            for (int d = 0; d < documents.size(); d++) {
                retriever.setAttribute("retrieval.documents." + d + ".document.id", "doc-" + i + "-" + d);
                retriever.setAttribute("retrieval.documents." + d + ".document.content", documents.get(d));
                retriever.setAttribute("retrieval.documents." + d + ".document.metadata",
                        "{\"doc_uri\": \"kb://policies/" + d + "\"}");
            }
            retriever.end();
            Span llm = tracer.spanBuilder("chat gpt-4o-mini").setSpanKind(SpanKind.CLIENT).startSpan();
            llm.setAttribute("gen_ai.operation.name", "chat");
            llm.setAttribute("gen_ai.system", "openai");
            llm.setAttribute("gen_ai.request.model", "gpt-4o-mini");
            llm.setAttribute("gen_ai.input.messages",
                    "[{\"role\": \"user\", \"parts\": [{\"type\": \"text\", \"content\": \"" + question + "\"}]}]");
            llm.setAttribute("gen_ai.output.messages",
                    "[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\", \"content\": \"" + answer + "\"}]}]");
            llm.setAttribute("gen_ai.usage.input_tokens", 40L + i);
            llm.setAttribute("gen_ai.usage.output_tokens", 12L);
            llm.end();
        } finally {
            root.end();
        }
        return new Request(root.getSpanContext().getTraceId(), root.getSpanContext().getSpanId(), question, answer,
                documents);
    }

    /** Every span exported so far, in the order the SDK exported them. */
    public List<SpanData> spans() {
        synchronized (exported) {
            return List.copyOf(exported);
        }
    }

    /**
     * {@code spans} shuffled and cut into batches of 1 to {@code maxBatch} spans, each marshalled as one
     * {@code ExportTraceServiceRequest}: protobuf ({@code json} false) or OTLP/JSON.
     */
    public static List<byte[]> messages(List<SpanData> spans, boolean json, int maxBatch, Random random) {
        List<SpanData> shuffled = new ArrayList<>(spans);
        Collections.shuffle(shuffled, random);
        List<byte[]> messages = new ArrayList<>();
        int i = 0;
        while (i < shuffled.size()) {
            int n = Math.min(shuffled.size() - i, 1 + random.nextInt(maxBatch));
            messages.add(marshal(shuffled.subList(i, i + n), json));
            i += n;
        }
        return messages;
    }

    public static byte[] marshal(List<SpanData> spans, boolean json) {
        TraceRequestMarshaler marshaler = TraceRequestMarshaler.create(spans);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (json) {
                marshaler.writeJsonTo(out);
            } else {
                marshaler.writeBinaryTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        provider.close();
    }
}
