package dev.tracemonitor.judges.local;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds MLflow traces the way MLflow records a chat app with retrieval: a root span and RETRIEVER children. */
final class TestTraces {

    static final String ROOT_SPAN_ID = "a1b2c3d4e5f60001";

    record Doc(String content, String docUri, String chunkId) {
        static Doc of(String content) {
            return new Doc(content, null, null);
        }
    }

    private final String traceId;
    private String request;
    private String response;
    private final List<Span> children = new ArrayList<>();

    private TestTraces(String traceId) {
        this.traceId = traceId;
    }

    static TestTraces trace(String traceId) {
        return new TestTraces(traceId);
    }

    static Trace qa(String request, String response) {
        return trace("tr-qa").request(request).response(response).build();
    }

    TestTraces request(String text) {
        this.request = text;
        return this;
    }

    TestTraces response(String text) {
        this.response = text;
        return this;
    }

    TestTraces retriever(String spanId, Doc... documents) {
        return retriever(spanId, ROOT_SPAN_ID, documents);
    }

    TestTraces retriever(String spanId, String parentSpanId, Doc... documents) {
        ArrayNode output = Json.MAPPER.createArrayNode();
        for (Doc doc : documents) {
            ObjectNode node = output.addObject();
            node.put("page_content", doc.content());
            ObjectNode metadata = node.putObject("metadata");
            if (doc.docUri() != null) {
                metadata.put("doc_uri", doc.docUri());
            }
            if (doc.chunkId() != null) {
                metadata.put("chunk_id", doc.chunkId());
            }
        }
        ObjectNode input = Json.MAPPER.createObjectNode().put("query", request == null ? "" : request);
        children.add(span(spanId, parentSpanId, "retrieve", "RETRIEVER", input.toString(), output.toString()));
        return this;
    }

    Trace build() {
        String inputs = request == null ? null : Json.MAPPER.createObjectNode()
                .set("messages", Json.MAPPER.createArrayNode()
                        .add(Json.MAPPER.createObjectNode().put("role", "user").put("content", request)))
                .toString();
        ObjectNode choice = Json.MAPPER.createObjectNode();
        choice.putObject("message").put("role", "assistant").put("content", response);
        String outputs = response == null ? null : Json.MAPPER.createObjectNode()
                .set("choices", Json.MAPPER.createArrayNode().add(choice))
                .toString();
        List<Span> spans = new ArrayList<>();
        spans.add(span(ROOT_SPAN_ID, null, "chat", "CHAT_MODEL", inputs, outputs));
        spans.addAll(children);
        TraceInfo info = new TraceInfo(traceId, null, TraceLocation.experiment("1"), 1_700_000_000_000L, 1200L,
                "OK", null, null, Map.of(), Map.of(), List.of());
        return new Trace(info, spans);
    }

    private Span span(String spanId, String parentSpanId, String name, String type, String inputs, String outputs) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put(Span.SPAN_TYPE, "\"" + type + "\"");
        if (inputs != null) {
            attributes.put(Span.SPAN_INPUTS, inputs);
        }
        if (outputs != null) {
            attributes.put(Span.SPAN_OUTPUTS, outputs);
        }
        return new Span(traceId, spanId, parentSpanId, name, 1L, 2L, new SpanStatus("OK", ""), List.of(), attributes);
    }
}
