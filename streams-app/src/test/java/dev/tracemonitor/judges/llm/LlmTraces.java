package dev.tracemonitor.judges.llm;

import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.TestTraces;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** MLflow trace JSON documents, decoded, for the LLM judge tests. */
final class LlmTraces {

    /** judges-rag-trace.json: two top-level RETRIEVER spans (3 chunks and 1 chunk) and a nested one. */
    static final String POLICIES_SPAN = "1c2d3e4f5a6b7c8d";
    static final String NESTED_SPAN = "2d3e4f5a6b7c8d9e";
    static final String FAQ_SPAN = "3e4f5a6b7c8d9e0f";
    static final String RAG_REQUEST = "How do I return a product I bought 45 days ago?";
    static final String RAG_SYSTEM_PROMPT = "You are a helpful support agent.";

    private LlmTraces() {
    }

    static Trace rag() {
        try (InputStream json = LlmTraces.class.getResourceAsStream("/judges-rag-trace.json")) {
            return TraceJsonCodec.decode(json.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A chat trace without retrieval. */
    static Trace chat(String question, String answer) {
        return TraceJsonCodec.decode(TestTraces.chat("tr-chat", "1", question, answer));
    }

    /** A trace with one RETRIEVER span, id {@code ret}, that returned these chunks. */
    static Trace rag(String question, String answer, List<String> chunks) {
        return TraceJsonCodec.decode(TestTraces.rag("tr-rag", "1", question, answer, chunks));
    }
}
