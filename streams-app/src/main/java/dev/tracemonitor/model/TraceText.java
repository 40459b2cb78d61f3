package dev.tracemonitor.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What judges read from a trace: the request (the root span's inputs; for chat input the last user message), the
 * response (the root span's outputs; for chat output {@code choices[0].message.content}, else the last message, else
 * the output's JSON) and the documents of each top-level RETRIEVER span. A view of the data, not a wire format: it
 * reads what the application logged in a span's JSON-encoded inputs and outputs. It is in {@code model} because its
 * readers are {@code judges} (the texts they judge) and {@code delta} (the request and response columns), siblings
 * that can share only what is below them.
 */
public final class TraceText {

    public static final String RETRIEVER = "RETRIEVER";

    private TraceText() {
    }

    public static String request(Trace trace) {
        Span root = trace.rootSpan();
        if (root == null || root.inputsJson() == null) {
            return trace.info().requestPreview();
        }
        JsonNode inputs = Json.parseOrNull(root.inputsJson());
        if (inputs == null) {
            return root.inputsJson();
        }
        String lastUser = lastUserMessage(inputs);
        if (lastUser != null) {
            return lastUser;
        }
        return plainText(inputs);
    }

    public static String response(Trace trace) {
        Span root = trace.rootSpan();
        if (root == null || root.outputsJson() == null) {
            return trace.info().responsePreview();
        }
        JsonNode outputs = Json.parseOrNull(root.outputsJson());
        if (outputs == null) {
            return root.outputsJson();
        }
        JsonNode choice = outputs.path("choices").path(0).path("message").path("content");
        if (choice.isTextual()) {
            return choice.textValue();
        }
        JsonNode messages = outputs.isArray() ? outputs : outputs.get("messages");
        if (messages != null && messages.isArray() && !messages.isEmpty()) {
            JsonNode content = messages.get(messages.size() - 1).get("content");
            if (content != null && content.isTextual()) {
                return content.textValue();
            }
        }
        return plainText(outputs);
    }

    /** Each RETRIEVER span with no RETRIEVER ancestor, with the documents it output. */
    public static List<RetrieverCall> topLevelRetrievals(Trace trace) {
        Map<String, Span> byId = new HashMap<>();
        for (Span span : trace.spans()) {
            byId.put(span.spanId(), span);
        }
        List<RetrieverCall> calls = new ArrayList<>();
        for (Span span : trace.spans()) {
            if (RETRIEVER.equals(span.spanType()) && !hasRetrieverAncestor(span, byId)) {
                calls.add(new RetrieverCall(span.spanId(), retrieverQuery(span), documents(span)));
            }
        }
        return calls;
    }

    private static boolean hasRetrieverAncestor(Span span, Map<String, Span> byId) {
        String parentId = span.parentSpanId();
        int guard = 0;
        while (parentId != null && guard++ < byId.size()) {
            Span parent = byId.get(parentId);
            if (parent == null) {
                return false;
            }
            if (RETRIEVER.equals(parent.spanType())) {
                return true;
            }
            parentId = parent.parentSpanId();
        }
        return false;
    }

    private static String retrieverQuery(Span span) {
        JsonNode inputs = Json.parseOrNull(span.inputsJson());
        if (inputs == null) {
            return span.inputsJson();
        }
        JsonNode query = inputs.get("query");
        return query != null && query.isTextual() ? query.textValue() : plainText(inputs);
    }

    private static List<RetrievedDocument> documents(Span span) {
        List<RetrievedDocument> documents = new ArrayList<>();
        JsonNode outputs = Json.parseOrNull(span.outputsJson());
        if (outputs == null || !outputs.isArray()) {
            return documents;
        }
        for (JsonNode doc : outputs) {
            if (doc.isTextual()) {
                documents.add(new RetrievedDocument(doc.textValue(), null, null, null));
                continue;
            }
            JsonNode metadata = doc.path("metadata");
            documents.add(new RetrievedDocument(
                    textOrNull(doc.get("page_content")),
                    textOrNull(metadata.get("doc_uri")),
                    textOrNull(metadata.get("chunk_id")),
                    textOrNull(doc.get("id"))));
        }
        return documents;
    }

    private static String lastUserMessage(JsonNode inputs) {
        JsonNode messages = inputs.isArray() ? inputs : inputs.get("messages");
        if (messages == null || !messages.isArray()) {
            return null;
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode message = messages.get(i);
            if ("user".equals(message.path("role").asText()) && message.get("content") != null) {
                JsonNode content = message.get("content");
                return content.isTextual() ? content.textValue() : content.toString();
            }
        }
        return null;
    }

    /** A lone string field (e.g. {@code {"question": "…"}}) or a bare string becomes that text; anything else its JSON. */
    private static String plainText(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isObject() && node.size() == 1) {
            JsonNode only = node.elements().next();
            if (only.isTextual()) {
                return only.textValue();
            }
        }
        return node.toString();
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.textValue() : node.toString();
    }
}
