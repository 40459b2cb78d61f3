package dev.tracemonitor.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What judges read from a trace: the request (the root span's inputs), the response (the root span's outputs), both
 * as a person reads them ({@link PayloadText}), and the documents of each top-level RETRIEVER span. MLflow 3 derives a
 * trace's request and response from its root span the same way, so the root span wins over {@code data.request} or
 * {@code mlflow.traceInputs} when they disagree. A view of the data, not a wire format: it reads what the application
 * logged in a span's inputs and outputs, by the span's convention ({@link SpanConvention}). It is in {@code model} because its
 * readers are {@code judges} (the texts they judge) and {@code delta} (the request and response columns), siblings
 * that can share only what is below them.
 */
public final class TraceText {

    public static final String RETRIEVER = "RETRIEVER";

    private TraceText() {
    }

    /** The question, as {@link PayloadText} reads it from the root span's inputs, else from the request preview. */
    public static String request(Trace trace) {
        Span root = trace.rootSpan();
        String inputs = root == null ? null : root.inputsJson();
        return inputs != null ? PayloadText.request(parsed(inputs)) : preview(trace.info().requestPreview());
    }

    /** The answer, as {@link PayloadText} reads it from the root span's outputs, else from the response preview. */
    public static String response(Trace trace) {
        Span root = trace.rootSpan();
        String outputs = root == null ? null : root.outputsJson();
        return outputs != null ? PayloadText.response(parsed(outputs)) : preview(trace.info().responsePreview());
    }

    private static JsonNode parsed(String json) {
        JsonNode node = Json.parseOrNull(json);
        return node != null ? node : Json.MAPPER.getNodeFactory().textNode(json);
    }

    /** A preview as a person reads it: MLflow 3.0–3.4 JSON-encode the previews of string payloads ({@code "\"abc\""}). */
    private static String preview(String preview) {
        return preview == null ? null : Json.unquote(preview);
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
        return PayloadText.request(inputs);
    }

    private static List<RetrievedDocument> documents(Span span) {
        List<RetrievedDocument> documents = new ArrayList<>();
        List<RetrievedDocument> openInference = openInferenceDocuments(span.attributes());
        if (!openInference.isEmpty()) {
            return openInference;
        }
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

    private static final Pattern OPENINFERENCE_DOCUMENT =
            Pattern.compile("retrieval\\.documents\\.(\\d+)\\.document\\.(content|id|metadata)");

    /** OpenInference's {@code retrieval.documents.N.document.{content,id,metadata}}, in N order. */
    private static List<RetrievedDocument> openInferenceDocuments(Map<String, String> attributes) {
        Map<Integer, Map<String, String>> byIndex = new TreeMap<>();
        for (Map.Entry<String, String> entry : attributes.entrySet()) {
            Matcher m = OPENINFERENCE_DOCUMENT.matcher(entry.getKey());
            if (m.matches()) {
                byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new HashMap<>())
                        .put(m.group(2), Json.unquote(entry.getValue()));
            }
        }
        List<RetrievedDocument> documents = new ArrayList<>();
        for (Map<String, String> doc : byIndex.values()) {
            JsonNode metadata = Json.parseOrNull(doc.get("metadata"));
            documents.add(new RetrievedDocument(doc.get("content"),
                    metadata == null ? null : textOrNull(metadata.get("doc_uri")),
                    metadata == null ? null : textOrNull(metadata.get("chunk_id")), doc.get("id")));
        }
        return documents;
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.textValue() : node.toString();
    }
}
