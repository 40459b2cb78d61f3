package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.PayloadText;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.TokenCounts;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Traces and payloads written by other projects' code (the corpus in {@code src/test/resources/real-traces}, origins
 * in its SOURCES.md), decoded by the service's decoder: per fixture the values EXPECTED.md says the source carries.
 */
class RealTracesTest {

    private static final String CORPUS = "/real-traces/";

    // --- MLflow traces ---------------------------------------------------------------------------------------------

    @Test
    void mlflow3TraceToDictOfVersion34() {
        Trace trace = decode("mlflow/mlflow3-3.4-trace-to-dict.json");

        assertThat(trace.traceId()).isEqualTo("tr-ee17184669c265ffdcf9299b36f6dccc");
        assertThat(trace.info().experimentId()).isEqualTo("0");
        assertThat(trace.info().state()).isEqualTo("OK");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1761106494524L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(60L);
        assertThat(TraceText.request(trace)).isEqualTo("abc");
        assertThat(TraceText.response(trace)).isEqualTo("def");
        assertThat(trace.spans()).singleElement().satisfies(span -> {
            assertThat(span.name()).isEqualTo("test");
            assertThat(span.spanType()).isEqualTo("UNKNOWN");
            assertThat(span.traceId()).isEqualTo("ee17184669c265ffdcf9299b36f6dccc");
            assertThat(span.spanId()).isEqualTo("dc49661c447d2155");
            assertThat(span.isRoot()).isTrue();
            assertThat(span.startTimeUnixNano()).isEqualTo(1761106494524157000L);
            assertThat(span.endTimeUnixNano()).isEqualTo(1761106494584860000L);
            assertThat(span.status().code()).isEqualTo("STATUS_CODE_OK");
            assertThat(span.events()).isEmpty();
        });
        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(null, null, null));
        assertThat(TraceText.topLevelRetrievals(trace)).isEmpty();
    }

    @Test
    void mlflow2TraceToDict() {
        Trace trace = decode("mlflow/mlflow2-trace-dict.json");

        assertThat(trace.traceId()).isEqualTo("58f4e27101304034b15c512b603bf1b2");
        assertThat(trace.info().experimentId()).isEqualTo("0");
        assertThat(trace.info().state()).isEqualTo("OK");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(100L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(200L);
        assertThat(TraceText.request(trace)).as("no text field: the JSON itself, compact").isEqualTo("{\"x\":2,\"y\":5}");
        assertThat(TraceText.response(trace)).isEqualTo("8");
        assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::spanId, Span::parentSpanId,
                        Span::startTimeUnixNano, Span::endTimeUnixNano, s -> s.status().code(), Span::traceId)
                .containsExactly(
                        tuple("predict", "UNKNOWN", "0d48a6670588966b", null, 100L, 200L, "STATUS_CODE_OK",
                                "63076d0c1b90f1df0970f897dc428bd6"),
                        tuple("add_one_with_custom_name", "LLM", "6fc32f36ef591f60", "0d48a6670588966b", 300L, 400L,
                                "STATUS_CODE_OK", "63076d0c1b90f1df0970f897dc428bd6"));
        assertThat(trace.spans().get(1).inputsJson()).isEqualTo("{\"z\": 7}");
        assertThat(trace.info().traceMetadata()).containsEntry("mlflow.trace_schema.version", "2");
        assertThat(trace.info().tags()).containsEntry("mlflow.traceName", "predict");
    }

    @Test
    void mlflow2RemoteTraceToDictWithPrefixedHexIdsAndAMicrosecondEvent() {
        Trace trace = decode("mlflow/mlflow2-remote-trace-dict.json");

        assertThat(trace.traceId()).isEqualTo("2e72d64369624e6888324462b62dc120");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1726145090860L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(162L);
        assertThat(TraceText.request(trace)).as("no text field: the JSON itself, compact").isEqualTo("{\"x\":1}");
        assertThat(TraceText.response(trace)).isEqualTo("{\"prediction\":1}");
        assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::spanId, Span::parentSpanId,
                        Span::startTimeUnixNano, Span::endTimeUnixNano, Span::traceId)
                .containsExactly(
                        tuple("remote", "UNKNOWN", "337af925d6629c01", null, 1726145091022155863L,
                                1726145091022572053L, "05e82d1fc4486f3986fae6dd7b5352b1"),
                        tuple("remote-child", "UNKNOWN", "a3dde9f2ebac1936", "337af925d6629c01", 1726145091022419340L,
                                1726145091022497944L, "05e82d1fc4486f3986fae6dd7b5352b1"));
        assertThat(trace.spans().get(0).events()).singleElement().satisfies(event -> {
            assertThat(event.name()).isEqualTo("event");
            assertThat(event.timeUnixNano()).as("16-digit microseconds, read as ns").isEqualTo(1726145091022287000L);
            assertThat(event.attributes()).containsEntry("foo", "bar");
        });
        assertThat(trace.info().tags()).containsEntry("fruit", "apple").containsEntry("food", "pizza");
    }

    @Test
    void mlflow2TraceWithRawAttributesWhoseRootSpanDisagreesWithDataRequest() {
        Trace trace = decode("mlflow/mlflow2-weather-trace-dict.json");

        assertThat(trace.traceId()).isEqualTo("test-trace-123");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1234567890L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(20L);
        assertThat(TraceText.request(trace)).as("the root span wins over data.request").isEqualTo("What is the weather today?");
        assertThat(TraceText.response(trace)).isEqualTo("I'll help you with the weather information.");
        assertThat(trace.spans()).singleElement().satisfies(span -> {
            assertThat(span.name()).isEqualTo("weather_query");
            assertThat(span.spanType()).isNull();
            assertThat(span.spanId()).isEqualTo("123");
            assertThat(span.traceId()).isEqualTo("abc");
            assertThat(span.isRoot()).isTrue();
            assertThat(span.startTimeUnixNano()).isEqualTo(1234567890000000000L);
            assertThat(span.endTimeUnixNano()).isEqualTo(1234567900000000000L);
            assertThat(span.status().code()).isEqualTo("STATUS_CODE_OK");
            assertThat(span.attributes()).containsEntry("temperature", "22°C");
        });
    }

    @Test
    void restTraceOfOpenInferenceSpansStoredByMlflow() {
        Trace trace = decode("mlflow/rest-v3-openinference-otel-trace.json");

        assertThat(trace.traceId()).isEqualTo("tr-b4b75f11c8c04dd7fddae56c28c6ccfd");
        assertThat(trace.info().experimentId()).isEqualTo("1");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1757912311704L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(1554L);
        assertThat(TraceText.request(trace)).isEqualTo("Now multiply that result by 3");
        assertThat(TraceText.response(trace)).isEqualTo("Multiplying 25 by 3 gives you 75.");
        assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::spanId, Span::parentSpanId,
                        Span::startTimeUnixNano, Span::endTimeUnixNano, s -> s.status().code(), Span::traceId)
                .containsExactly(
                        tuple("conversation_turn", null, "8bc5e81f989ba467", null, 1757912311704325000L,
                                1757912313258527000L, "STATUS_CODE_UNSET", "b4b75f11c8c04dd7fddae56c28c6ccfd"),
                        tuple("tool_execution", "TOOL", "cae859c4a7f7a7cc", "8bc5e81f989ba467", 1757912312585773000L,
                                1757912312586234000L, "STATUS_CODE_UNSET", "b4b75f11c8c04dd7fddae56c28c6ccfd"));
        assertThat(PayloadText.response(Json.parseOrNull(trace.spans().get(1).outputsJson()))).isEqualTo("Result: 75");
        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(null, null, null));
    }

    @Test
    void restTraceWithAssessmentTokenUsageAndRawAttributes() {
        Trace trace = decode("mlflow/rest-v3-trace-with-assessment.json");

        assertThat(trace.traceId()).isEqualTo("tr-test-v3");
        assertThat(trace.info().experimentId()).isEqualTo("3363486573189371");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1739958743140L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(32583L);
        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(100L, 200L, 300L));
        assertThat(TraceText.request(trace)).isEqualTo("document-qa-chain-input");
        assertThat(TraceText.response(trace)).isEqualTo("document-qa-chain-output");
        assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::spanId, Span::parentSpanId,
                        Span::startTimeUnixNano, Span::endTimeUnixNano, Span::traceId)
                .containsExactly(
                        tuple("document-qa-chain", "CHAT_MODEL", "a96bcf7b57a48b3d", null, 0L, 25000000000L,
                                "55b2f04aabe2a246b114ac6950118668"),
                        tuple("document-qa-chain", "CHAIN", "31323334", "a96bcf7b57a48b3d", 0L, 25000000000L,
                                "55b2f04aabe2a246b114ac6950118668"),
                        tuple("rephrase_chat_to_queue", "LLM", "3132333435", "31323334", 0L, 25000000000L,
                                "55b2f04aabe2a246b114ac6950118668"));
        assertThat(trace.info().assessments()).singleElement().satisfies(a -> {
            assertThat(a.assessmentId()).isEqualTo("a-test-1");
            assertThat(a.assessmentName()).isEqualTo("Relevance");
            assertThat(a.feedback().value()).isEqualTo("5");
            assertThat(a.rationale()).isEqualTo("The thought process is sound and follows from the request");
        });
    }

    @Test
    void mlflowUiMockOfAnMlflow2Trace() {
        Trace trace = decode("mlflow/ui-v2-trace.json");

        assertThat(trace.traceId()).isEqualTo("1");
        assertThat(trace.info().experimentId()).isEqualTo("1");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1000000000L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(1000000000L);
        assertThat(TraceText.request(trace)).isEqualTo("document-qa-chain-input");
        assertThat(TraceText.response(trace)).isEqualTo("document-qa-chain-output");
        assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::spanId, Span::parentSpanId,
                        Span::startTimeUnixNano, Span::endTimeUnixNano, s -> s.status().code())
                .containsExactly(
                        tuple("document-qa-chain", "CHAIN", "document-qa-chain", null, 0L, 25000000000L,
                                "STATUS_CODE_OK"),
                        tuple("_generate_response", "CHAT_MODEL", "_generate_response", "document-qa-chain",
                                3000000000L, 8000000000L, "STATUS_CODE_OK"),
                        tuple("rephrase_chat_to_queue", "LLM", "rephrase_chat_to_queue", "_generate_response",
                                8000000000L, 8500000000L, "STATUS_CODE_OK"));
    }

    @Test
    void databricksAgentEndpointResponse() {
        Trace trace = decode("databricks-blog/agent-endpoint-response-predict-ok.json");

        assertThat(trace.traceId()).isEqualTo("<redacted>");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1764694340818L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(5098L);
        assertThat(TraceText.request(trace)).isEqualTo("What is a good apple pie recipe to use on Thanksgiving");
        assertThat(TraceText.response(trace)).isEqualTo("Absolutely! Here\u2019s a classic, crowd-pleasing **Apple Pie"
                + " Recipe** perfect for Thanksgiving. It features a flaky crust and ... ");
        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(27L, 641L, 668L));
        assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::startTimeUnixNano, Span::endTimeUnixNano,
                        s -> s.status().code())
                .containsExactly(
                        tuple("predict", "AGENT", 1764694340818061307L, 1764694345916778373L, "STATUS_CODE_OK"),
                        tuple("Completions", "CHAT_MODEL", 1764694340819104621L, 1764694345916576447L,
                                "STATUS_CODE_OK"));
        assertThat(trace.rootSpan().name()).isEqualTo("predict");
    }

    @Test
    void databricksAgentEndpointResponseOfABlockedRequest() {
        Trace trace = decode("databricks-blog/agent-endpoint-response-predict-blocked.json");

        assertThat(trace.info().requestTimeMillis()).isEqualTo(1766004343536L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(464L);
        assertThat(TraceText.request(trace)).isEqualTo("How do I rob a bank without getting caught?");
        assertThat(TraceText.response(trace)).isEqualTo("This question has been flagged as inappropriate");
        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(null, null, null));
        assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::startTimeUnixNano, Span::endTimeUnixNano,
                        s -> s.status().code())
                .containsExactly(
                        tuple("predict", "AGENT", 1766004343536444701L, 1766004344000597938L, "STATUS_CODE_OK"),
                        tuple("Completions", "CHAT_MODEL", 1766004343537162020L, 1766004344000358635L,
                                "STATUS_CODE_ERROR"));
        assertThat(trace.spans().get(1).events()).singleElement().satisfies(event -> {
            assertThat(event.name()).isEqualTo("exception");
            assertThat(event.timeUnixNano()).isEqualTo(1766004344000273000L);
            assertThat(event.attributes()).containsEntry("exception.type", "BadRequestError");
        });
    }

    // --- MLflow span dicts, as a decoder sees them: inside data.spans ------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({"mlflow/mlflow3-3.0-3.4-span.json", "mlflow/mlflow3-3.5.0-span.json"})
    void mlflow3SpanDictOfEitherIdForm(String file) {
        Span span = decodeSpan(file);

        assertThat(span.spanId()).isEqualTo("fe6098651c5b4eac");
        assertThat(span.parentSpanId()).isEqualTo("7faaa5298a93c361");
        assertThat(span.name()).isEqualTo("custom");
        assertThat(span.startTimeUnixNano()).isEqualTo(1761103703884225000L);
        assertThat(span.endTimeUnixNano()).isEqualTo(1761103703884454000L);
        assertThat(span.status().code()).isEqualTo("STATUS_CODE_OK");
        assertThat(span.spanType()).isEqualTo("LLM");
        assertThat(span.inputsJson()).isEqualTo("{\"z\": 3}");
        assertThat(span.outputsJson()).isEqualTo("4");
        assertThat(span.events()).singleElement().satisfies(event -> {
            assertThat(event.name()).isEqualTo("agent_action");
            assertThat(event.timeUnixNano()).isEqualTo(1761105506649041000L);
            assertThat(event.attributes()).containsEntry("tool", "search_web")
                    .containsEntry("tool_input", "\"What is MLflow?\"").containsEntry("log", "test");
        });
    }

    @Test
    void mlflowUiChatSpanWithObjectInputsAndOutputs() {
        Span span = decodeSpan("mlflow/ui-v2-chat-tool-call-span.json");
        Trace trace = traceOf(span);

        assertThat(span.name()).isEqualTo("chat_span");
        assertThat(span.spanType()).isEqualTo("CHAT_MODEL");
        assertThat(span.startTimeUnixNano()).isEqualTo(3100000L);
        assertThat(span.endTimeUnixNano()).isEqualTo(8100000L);
        assertThat(TraceText.request(trace)).isEqualTo("tell me a joke in 50 words");
        assertThat(TraceText.response(trace))
                .isEqualTo("Why did the scarecrow win an award? Because he was outstanding in his field!");
    }

    // --- payloads (span inputs and outputs) ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "mlflow/payload-openai-chat-input.json | tell me a joke in 50 words",
            "mlflow/payload-openai-responses-input.json | What is the capital of France?",
            "mlflow/payload-responses-agent-input.json | What is 6*7 in Python? use your tool",
            "mlflow/payload-langchain-chat-input.json | What's the weather in Singapore and New York?"})
    void requestPayloadReadsAsTheUsersQuestion(String file, String question) {
        assertThat(PayloadText.request(json(file))).isEqualTo(question);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "mlflow/payload-openai-chat-output.json | Why did the scarecrow win an award? Because he was outstanding in his field!",
            "mlflow/payload-openai-responses-output.json | The capital of France is Paris.",
            "mlflow/payload-openai-responses-streaming-output.json | The capital of France is Paris.",
            "mlflow/payload-langchain-chat-output.json | The weather in Singapore is hot, while in New York, it is cold."})
    void responsePayloadReadsAsTheAnswer(String file, String answer) {
        assertThat(PayloadText.response(json(file))).isEqualTo(answer);
    }

    // --- spans of other instrumentation: the attribute maps, read through the decoder -----------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "openinference/genai-fixture-otel-genai-client-span-tool-calls.json | CHAT_MODEL | Weather in Paris? | The weather in Paris is currently rainy with a temperature of 57°F.",
            "openinference/genai-fixture-otel-genai-deprecated-client-span-tool-calls.json | CHAT_MODEL | Weather in Paris? | The weather in Paris is currently rainy with a temperature of 57°F.",
            "openinference/genai-fixture-openinference-client-span-tool-calls.json | LLM | Weather in Paris? | The weather in Paris is currently rainy with a temperature of 57°F.",
            "openinference/genai-fixture-openinference-client-span-input-output-only.json | LLM | Weather in Paris? | The weather in Paris is currently rainy with a temperature of 57°F."})
    void genAiAndOpenInferenceSpansGiveTheSameRequestAndResponse(String file, String type, String request,
                                                                 String response) {
        Trace trace = traceOf(spanWithAttributes(json(file)));

        assertThat(trace.rootSpan().spanType()).isEqualTo(type);
        assertThat(TraceText.request(trace)).isEqualTo(request);
        assertThat(TraceText.response(trace)).isEqualTo(response);
    }

    @Test
    void genAiToolExecutionSpanIsATool() {
        Span span = spanWithAttributes(json("openinference/genai-fixture-otel-genai-tool-execution-span.json"));

        assertThat(span.spanType()).isEqualTo("TOOL");
    }

    @Test
    void otelSemanticConventionsChatSpanWithStructuredMessages() {
        JsonNode dict = json("otel-semconv/simple-chat-span.json");
        Trace trace = traceOf(spanWithAttributes(dict.get("attributes")));

        assertThat(trace.rootSpan().spanType()).isEqualTo("CHAT_MODEL");
        assertThat(TraceText.request(trace)).isEqualTo("Tell me a joke about OpenTelemetry");
        assertThat(TraceText.response(trace)).isEqualTo(" Why did the developer bring OpenTelemetry to the party?"
                + " Because it always knows how to trace the fun!");
        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(52L, 47L, 99L));
    }

    @Test
    void vercelAiSdkSpansCarryTheirTextInAiAttributes() {
        JsonNode spans = json("openinference/vercel-v6-ai-generateText-doGenerate.json");
        Trace first = traceOf(spanWithAttributes(spans.get(0).get("attributes")));
        Trace second = traceOf(spanWithAttributes(spans.get(1).get("attributes")));

        assertThat(TraceText.request(first)).isEqualTo("Write a haiku about programming.");
        assertThat(TraceText.response(first))
                .isEqualTo("Lines of code align,  \nLogic dances through the night\u2014  \nDreams in data flow.");
        assertThat(TokenCounts.of(first)).isEqualTo(new TokenCounts(14L, 20L, 34L));
        assertThat(TraceText.request(second)).isEqualTo("And what is 3 + 3?");
        assertThat(TraceText.response(second)).isEqualTo("3 + 3 equals 6.");
    }

    @Test
    void openInferenceRetrieverAndLlmSpansOfThePhoenixDocs() {
        JsonNode spans = json("phoenix/docs-otel-sdk-spans-llm-and-retriever.json");
        Trace llm = traceOf(spanWithAttributes(spans.get(0).get("attributes")));
        Span retriever = spanWithAttributes(spans.get(1).get("attributes"));

        assertThat(llm.rootSpan().spanType()).isEqualTo("LLM");
        assertThat(TraceText.request(llm)).isEqualTo("Hello");
        assertThat(TraceText.response(llm)).isEqualTo("How are you?");
        assertThat(retriever.spanType()).isEqualTo("RETRIEVER");
        assertThat(TraceText.topLevelRetrievals(traceOf(retriever))).singleElement().satisfies(call -> {
            assertThat(call.query()).isEqualTo("tell me about postal service");
            assertThat(call.documents()).extracting(RetrievedDocument::pageContent, RetrievedDocument::id)
                    .containsExactly(tuple("<document-chunk-1>", "6d4e27be-1d6d-4084-a619-351a44834f38"),
                            tuple("<document-chunk-2>", "869d9f6d-db9a-43c4-842f-74bd8d505147"),
                            tuple("<document-chunk-3>", "72b5cb6b-464f-4460-b497-cc7c09d1dbef"));
        });
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private static Trace decode(String file) {
        return TraceJsonCodec.decode(bytes(file));
    }

    /** A span dict as the decoder reads it: inside the {@code data.spans} of a minimal trace. */
    private static Span decodeSpan(String file) {
        ObjectNode trace = minimalTrace();
        trace.with("data").withArray("spans").add(json(file));
        return TraceJsonCodec.decode(trace.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).spans().get(0);
    }

    /** A root span carrying {@code attributes}, decoded from a minimal trace. */
    private static Span spanWithAttributes(JsonNode attributes) {
        ObjectNode trace = minimalTrace();
        ObjectNode span = trace.with("data").withArray("spans").addObject();
        span.put("span_id", "0000000000000001").put("name", "span").set("attributes", attributes);
        return TraceJsonCodec.decode(trace.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).spans().get(0);
    }

    private static ObjectNode minimalTrace() {
        ObjectNode trace = Json.MAPPER.createObjectNode();
        trace.putObject("info").put("trace_id", "tr-fixture").put("request_time", 0);
        trace.putObject("data").putArray("spans");
        return trace;
    }

    private static Trace traceOf(Span root) {
        return new Trace(decode("mlflow/mlflow3-3.4-trace-to-dict.json").info(), List.of(root));
    }

    private static JsonNode json(String file) {
        try {
            return Json.MAPPER.readTree(bytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String file) {
        try (InputStream in = RealTracesTest.class.getResourceAsStream(CORPUS + file)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + CORPUS + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
