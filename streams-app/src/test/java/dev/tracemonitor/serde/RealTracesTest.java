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
import java.time.Instant;
import java.time.OffsetDateTime;
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

    @Test
    void openTelemetryGenAiSpanAsMlflowStoresOtlpIngestedSpans() {
        Trace trace = decode("otel-semconv/mlflow-trace-of-simple-chat-span.json");

        assertThat(trace.traceId()).isEqualTo("tr-4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(trace.info().experimentId()).isEqualTo("4");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1735689600000L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(1500L);
        assertThat(trace.spans()).singleElement().satisfies(span -> {
            assertThat(span.name()).isEqualTo("chat gpt-4");
            assertThat(span.spanType()).isEqualTo("CHAT_MODEL");
            assertThat(span.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(span.spanId()).isEqualTo("00f067aa0ba902b7");
            assertThat(span.isRoot()).isTrue();
            assertThat(span.startTimeUnixNano()).isEqualTo(1735689600000000000L);
            assertThat(span.endTimeUnixNano()).isEqualTo(1735689601500000000L);
            assertThat(span.status().code()).isEqualTo("STATUS_CODE_UNSET");
        });
        assertThat(TraceText.request(trace)).isEqualTo("Tell me a joke about OpenTelemetry");
        assertThat(TraceText.response(trace)).isEqualTo(" Why did the developer bring OpenTelemetry to the party?"
                + " Because it always knows how to trace the fun!");
        assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(52L, 47L, 99L));
        assertThat(TraceText.topLevelRetrievals(trace)).isEmpty();
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

    // --- span lists of other containers, read span by span through the decoder ---------------------------------------

    @Test
    void openInferenceRetrieverAndLlmSpansOfThePhoenixDocs() {
        List<Trace> traces = tracesOf(json("phoenix/docs-otel-sdk-spans-llm-and-retriever.json"), RealTracesTest::otelJsonSpan);

        assertThat(traces).singleElement().satisfies(trace -> {
            assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::traceId, Span::spanId,
                            Span::parentSpanId, Span::startTimeUnixNano, Span::endTimeUnixNano, s -> s.status().code())
                    .containsExactly(
                            tuple("llm", "LLM", "6c80880dbeb609e2ed41e06a6397a0dd", "d9bdedf0df0b7208",
                                    "7eb5df0046c77cd2", 1715204771480777000L, 1715204795368042000L, "STATUS_CODE_OK"),
                            tuple("retrieve", "RETRIEVER", "6c80880dbeb609e2ed41e06a6397a0dd", "03f3466720f4bfc7",
                                    "7eb5df0046c77cd2", 1715204771044464000L, 1715204771465803000L, "STATUS_CODE_OK"));
            assertThat(trace.rootSpan().name()).as("no root in the file: the first span").isEqualTo("llm");
            assertThat(TraceText.request(trace)).isEqualTo("Hello");
            assertThat(TraceText.response(trace)).isEqualTo("How are you?");
            assertThat(TraceText.topLevelRetrievals(trace)).singleElement().satisfies(call -> {
                assertThat(call.spanId()).isEqualTo("03f3466720f4bfc7");
                assertThat(call.query()).isEqualTo("tell me about postal service");
                assertThat(call.documents()).extracting(RetrievedDocument::pageContent, RetrievedDocument::id)
                        .containsExactly(tuple("<document-chunk-1>", "6d4e27be-1d6d-4084-a619-351a44834f38"),
                                tuple("<document-chunk-2>", "869d9f6d-db9a-43c4-842f-74bd8d505147"),
                                tuple("<document-chunk-3>", "72b5cb6b-464f-4460-b497-cc7c09d1dbef"));
            });
            assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(null, null, null));
        });
    }

    @Test
    void phoenixSpanExportOfAnAgentTurnWhoseKindsAreOnlyInSpanKind() {
        List<Trace> traces = tracesOf(json("phoenix/pxi-turn-trace.json"), RealTracesTest::otelJsonSpan);

        assertThat(traces).singleElement().satisfies(trace -> {
            assertThat(trace.spans()).hasSize(18);
            Span root = trace.rootSpan();
            assertThat(root.spanId()).isEqualTo("s01");
            assertThat(root.spanType()).isEqualTo("AGENT");
            assertThat(root.startTimeUnixNano()).isEqualTo(1783555200000000000L);
            assertThat(root.endTimeUnixNano()).isEqualTo(1783555235000000000L);
            assertThat(TraceText.request(trace)).isEqualTo("can you save this trace to a dataset?");
            assertThat(TraceText.response(trace)).isEqualTo("Done! I created the dataset [`golden_examples`]"
                    + "(/datasets/fixture-dataset-4/examples) and added this trace's root span as its first example.");
            List<Span> children = trace.children("s01");
            assertThat(children).hasSize(17);
            for (int i = 0; i < children.size(); i++) {
                Span child = children.get(i);
                long start = 1783555200000000000L + (2L * i + 1) * 1_000_000_000L;
                assertThat(child.spanId()).isEqualTo(String.format("s%02d", i + 2));
                assertThat(child.spanType()).isEqualTo(i % 2 == 0 ? "LLM" : "TOOL");
                assertThat(child.startTimeUnixNano()).isEqualTo(start);
                assertThat(child.endTimeUnixNano()).isEqualTo(start + 1_000_000_000L);
                assertThat(child.status().code()).isEqualTo(child.spanId().equals("s11") ? "STATUS_CODE_ERROR"
                        : "STATUS_CODE_OK");
            }
            assertThat(children).filteredOn(s -> "TOOL".equals(s.spanType())).extracting(Span::name)
                    .containsExactly("list_datasets", "list_datasets", "ask_user", "create_dataset",
                            "add_spans_to_dataset", "bash", "add_spans_to_dataset", "get_route_info");
            Span failed = children.get(9);
            assertThat(failed.status().message()).startsWith("Error fetching GraphQL query 'exampleMutation'");
            assertThat(failed.events()).singleElement().satisfies(event -> {
                assertThat(event.name()).isEqualTo("exception");
                assertThat(event.timeUnixNano()).isEqualTo(1783555219000000000L);
                assertThat(event.attributes()).containsEntry("exception.message", "[sanitized exception message]");
            });
            assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(310222L, 1895L, 312117L));
            assertThat(TraceText.topLevelRetrievals(trace)).isEmpty();
        });
    }

    @Test
    void openInferenceSpecQuerySpanWithItsLlmChildOfNestedMessages() {
        List<Trace> traces = tracesOf(json("openinference/spec-traces-query-and-llm-spans.json"),
                RealTracesTest::otelJsonSpan);

        assertThat(traces).singleElement().satisfies(trace -> {
            assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::traceId, Span::spanId,
                            Span::parentSpanId, Span::startTimeUnixNano, Span::endTimeUnixNano, s -> s.status().code())
                    .containsExactly(
                            tuple("query", "CHAIN", "ed7b336d-e71a-46f0-a334-5f2e87cb6cfc",
                                    "f89ebb7c-10f6-4bf8-8a74-57324d2556ef", null, 1694112887293922000L,
                                    1694112889322066000L, "STATUS_CODE_OK"),
                            tuple("llm", "LLM", "ed7b336d-e71a-46f0-a334-5f2e87cb6cfc",
                                    "ad67332a-38bd-428e-9f62-538ba2fa90d4", "f89ebb7c-10f6-4bf8-8a74-57324d2556ef",
                                    1694112887597121000L, 1694112889321811000L, "STATUS_CODE_OK"));
            assertThat(TraceText.request(trace)).isEqualTo("Is anybody there?");
            assertThat(TraceText.response(trace)).isEqualTo("Yes, I am here.");
            Trace llmOnly = new Trace(trace.info(), List.of(trace.spans().get(1)));
            assertThat(TraceText.request(llmOnly)).as("the nested llm.input_messages, flattened").isEqualTo("Hello?");
            assertThat(TraceText.response(llmOnly)).isEqualTo("assistant: Yes I am here");
            assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(null, null, null));
        });
    }

    @Test
    void openInferenceSpecChatSpansOfAToolCallAndItsSynthesis() {
        List<Trace> traces = tracesOf(json("openinference/spec-llm-chat-tool-call-and-synthesis-spans.json"),
                RealTracesTest::otelJsonSpan);

        assertThat(traces).singleElement().satisfies(trace -> {
            assertThat(trace.spans()).extracting(Span::name, Span::spanType, Span::spanId, Span::parentSpanId,
                            Span::startTimeUnixNano, Span::endTimeUnixNano)
                    .containsExactly(
                            tuple("ChatCompletion", "LLM", "01fa9612-01b8-4358-85d6-e3e067305ec3",
                                    "2fe8a793-2cf1-42d7-a1df-bd7d46e017ef", 1705016717982858000L, 1705016718517639000L),
                            tuple("llm", "LLM", "f26d1f26-9671-435d-9716-14a87a3f228b",
                                    "2fe8a793-2cf1-42d7-a1df-bd7d46e017ef", 1705016718519427000L, 1705016719159145000L));
            assertThat(TraceText.request(trace)).as("no root in the file: the first span").isEqualTo("what is 23 times 87");
            Trace synthesis = new Trace(trace.info(), List.of(trace.spans().get(1)));
            assertThat(TraceText.request(synthesis)).isEqualTo("what is 23 times 87");
            assertThat(TraceText.response(synthesis)).isEqualTo("The product of 23 times 87 is 2001.");
            assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(488L, 35L, 523L));
        });
    }

    @Test
    void openInferenceSpecLegacyCompletionSpan() {
        List<Trace> traces = tracesOf(json("openinference/spec-llm-completion-span.json"), RealTracesTest::otelJsonSpan);

        assertThat(traces).singleElement().satisfies(trace -> {
            assertThat(trace.spans()).singleElement().satisfies(span -> {
                assertThat(span.name()).isEqualTo("Completion");
                assertThat(span.spanType()).isEqualTo("LLM");
                assertThat(span.traceId()).isEqualTo("12345678-1234-5678-1234-567812345678");
                assertThat(span.spanId()).isEqualTo("87654321-4321-8765-4321-876543218765");
                assertThat(span.isRoot()).isTrue();
                assertThat(span.startTimeUnixNano()).isEqualTo(1759117369000000000L);
                assertThat(span.endTimeUnixNano()).isEqualTo(1759117370284841000L);
                assertThat(span.status().code()).isEqualTo("STATUS_CODE_OK");
            });
            assertThat(TraceText.request(trace)).isEqualTo(
                    "def fib(n):\n    if n <= 1:\n        return n\n    else:\n        return fib(n-1) + fib(n-2)");
            assertThat(TraceText.response(trace)).isEqualTo(" + fib(n-3) + fib(n-4)\n\ndef fib(n):\n    if n <= 1:\n        return");
            assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(31L, 25L, 56L));
        });
    }

    @Test
    void otelSemanticConventionsToolCallSpansEachATraceOfItsOwn() {
        List<Trace> traces = tracesOf(json("otel-semconv/tool-calls-spans.json"), RealTracesTest::semconvSpan);

        assertThat(traces).as("the page gives the spans no trace id: one trace each").hasSize(3);
        assertThat(traces).extracting(t -> t.rootSpan().name(), t -> t.rootSpan().spanType())
                .containsExactly(tuple("chat gpt-4", "CHAT_MODEL"), tuple("execute_tool get_weather", "TOOL"),
                        tuple("chat gpt-4", null));
        assertThat(TraceText.request(traces.get(0))).isEqualTo("Weather in Paris?");
        assertThat(TraceText.response(traces.get(0))).as("a tool call, no text: the output's JSON, the last resort")
                .isEqualTo("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\","
                        + "\"id\":\"call_VSPygqKTWdrhaFErNvMV18Yl\",\"name\":\"get_weather\","
                        + "\"arguments\":{\"location\":\"Paris\"}}],\"finish_reason\":\"tool_call\"}]");
        assertThat(TokenCounts.of(traces.get(0))).isEqualTo(new TokenCounts(47L, 17L, 64L));
        assertThat(TraceText.request(traces.get(1))).isNull();
        assertThat(TraceText.response(traces.get(1))).isNull();
        assertThat(TraceText.request(traces.get(2))).isEqualTo("Weather in Paris?");
        assertThat(TraceText.response(traces.get(2)))
                .isEqualTo("The weather in Paris is currently rainy with a temperature of 57°F.");
        assertThat(TokenCounts.of(traces.get(2))).isEqualTo(new TokenCounts(97L, 52L, 149L));
        assertThat(traces).allSatisfy(t -> assertThat(t.rootSpan().startTimeUnixNano()).as("no times on the page")
                .isZero());
    }

    @Test
    void otelSemanticConventionsSpanWithSystemInstructions() {
        List<Trace> traces = tracesOf(json("otel-semconv/system-instructions-span.json"), RealTracesTest::semconvSpan);

        assertThat(traces).singleElement().satisfies(trace -> {
            assertThat(trace.rootSpan().name()).isEqualTo("chat gpt-4");
            assertThat(trace.rootSpan().spanType()).isEqualTo("CHAT_MODEL");
            assertThat(TraceText.request(trace)).isEqualTo("Tell me a joke about OpenTelemetry");
            assertThat(TraceText.response(trace)).isEqualTo("I'm sorry, but I can't assist with that");
            assertThat(TokenCounts.of(trace)).isEqualTo(new TokenCounts(28L, 10L, 38L));
        });
    }

    @Test
    void langfuseExportOfAMicrosoftAgentFrameworkTrace() {
        Trace trace = langfuseTrace(json("langfuse/microsoft-agent-2025-12-17.trace.json"));

        assertThat(trace.traceId()).isEqualTo("8e419d3288419b5d944270505640e183");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1765964257258L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(4364L);
        assertThat(trace.spans()).extracting(Span::spanId, Span::spanType, Span::parentSpanId, Span::startTimeUnixNano,
                        Span::endTimeUnixNano)
                .containsExactly(
                        tuple("4cd6caa32861956a", "AGENT", null, 1765964257258000000L, 1765964261622000000L),
                        tuple("2406e8343fd49c0e", "CHAT_MODEL", "4cd6caa32861956a", 1765964257260000000L,
                                1765964260549000000L),
                        tuple("b0913e7cd82d72b8", "CHAT_MODEL", "4cd6caa32861956a", 1765964260555000000L,
                                1765964261620000000L),
                        tuple("a2de97aac476c036", "TOOL", "4cd6caa32861956a", 1765964260551000000L,
                                1765964260551000000L));
        assertThat(TraceText.request(trace)).isEqualTo("What's the weather in Tokyo?");
        assertThat(TraceText.response(trace)).isEqualTo("Current conditions in Tokyo, Japan: stormy, high around 23°C.");
        assertThat(TraceText.topLevelRetrievals(trace)).isEmpty();
    }

    @Test
    void langfuseExportOfAPydanticAiTraceWhoseTextIsOnlyOnTheTrace() {
        Trace trace = langfuseTrace(json("langfuse/pydantic-ai-2025-06-06.trace.json"));

        assertThat(trace.traceId()).isEqualTo("25f4bdeebaab60e6e1bee7e8469554bc");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1749220828562L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(4795L);
        assertThat(trace.spans()).extracting(Span::spanId, Span::name, Span::spanType, Span::parentSpanId,
                        Span::startTimeUnixNano, Span::endTimeUnixNano)
                .containsExactlyInAnyOrder(
                        tuple("538fed87d11686d3", "pydantic-ai-qa-trace", null, null, 1749220828562000000L,
                                1749220833357000000L),
                        tuple("0a4fac2553f22f2e", "qa_agent run", null, "538fed87d11686d3", 1749220828562000000L,
                                1749220833357000000L),
                        tuple("5cb389a3bdd21a6e", "chat gpt-4o", "CHAT_MODEL", "0a4fac2553f22f2e",
                                1749220828562000000L, 1749220833356000000L));
        assertThat(TraceText.request(trace)).as("the root observation has no input: the trace's").isEqualTo("What is Langfuse?");
        assertThat(TokenCounts.of(trace)).as("the agent run repeats its model call's usage: counted once")
                .isEqualTo(new TokenCounts(31L, 96L, 127L));
        assertThat(TraceText.response(trace)).startsWith("Langfuse is a tool designed for observability")
                .endsWith("supporting both self-hosted implementations and cloud-based solutions.");
    }

    // --- adapters: a container's span list as the span dicts the decoder reads, nothing computed from the answers ----

    /**
     * An OpenTelemetry SDK {@code ReadableSpan.to_json()} or Phoenix / OpenInference span dict: MLflow 2's span dict
     * ({@code context}, {@code parent_id}, {@code start_time}, {@code status_code}…), which the decoder reads, but for
     * ISO times (here → ns), attribute lists left nested (here flattened, as OpenTelemetry sends them:
     * {@code llm.input_messages.0.message.role}) and Phoenix's {@code span_kind} holding the OpenInference kind (here
     * → {@code openinference.span.kind} when the span has none).
     */
    private static ObjectNode otelJsonSpan(JsonNode source, int index) {
        ObjectNode span = source.deepCopy();
        span.put("start_time", isoNanos(source.get("start_time")));
        span.put("end_time", isoNanos(source.get("end_time")));
        ObjectNode attributes = Json.MAPPER.createObjectNode();
        source.get("attributes").properties().forEach(e -> flatten(e.getKey(), e.getValue(), attributes));
        String kind = source.path("span_kind").asText("");
        if (!attributes.has("openinference.span.kind") && !kind.isEmpty() && !kind.startsWith("SPAN_KIND_")) {
            attributes.put("openinference.span.kind", kind);
        }
        span.set("attributes", attributes);
        for (JsonNode event : span.withArray("events")) {
            ((ObjectNode) event).put("timestamp", isoNanos(event.get("timestamp")));
        }
        return span;
    }

    /** Lists of objects become indexed keys; any other value stays as it is. */
    private static void flatten(String key, JsonNode value, ObjectNode into) {
        if (value.isArray() && value.size() > 0 && value.get(0).isObject()) {
            for (int i = 0; i < value.size(); i++) {
                String prefix = key + "." + i + ".";
                value.get(i).properties().forEach(e -> flatten(prefix + e.getKey(), e.getValue(), into));
            }
        } else {
            into.set(key, value);
        }
    }

    /**
     * A span dict built from an OpenTelemetry semantic-conventions page's table: its name, ids and attributes as they
     * are; a span the page gives no id gets its place in the list as one.
     */
    private static ObjectNode semconvSpan(JsonNode source, int index) {
        ObjectNode span = source.deepCopy();
        if (!span.has("span_id")) {
            span.put("span_id", "page-span-" + index);
        }
        return span;
    }

    /**
     * A Langfuse public-trace export as a trace: the top-level observations as spans (ids, parent, ISO times, the
     * OpenTelemetry attributes Langfuse keeps as JSON text in {@code metadata}, and the messages it moved out of them
     * into {@code input}/{@code output} put back as {@code gen_ai.input.messages}/{@code gen_ai.output.messages}); the
     * trace's {@code id}, {@code timestamp}, {@code latency} (seconds) and {@code input}/{@code output} as its
     * trace_id, request_time, execution duration and previews.
     */
    private static Trace langfuseTrace(JsonNode export) {
        JsonNode source = export.get("trace");
        ObjectNode trace = Json.MAPPER.createObjectNode();
        trace.putObject("info").put("trace_id", source.get("id").textValue())
                .put("request_time", source.get("timestamp").textValue())
                .put("execution_duration_ms", Math.round(source.get("latency").doubleValue() * 1000))
                .put("request_preview", source.get("input").textValue())
                .put("response_preview", source.get("output").textValue());
        var spans = trace.putObject("data").putArray("spans");
        for (JsonNode observation : export.get("observations")) {
            ObjectNode span = spans.addObject().put("trace_id", observation.get("traceId").textValue())
                    .put("span_id", observation.get("id").textValue())
                    .put("parent_span_id", observation.path("parentObservationId").textValue())
                    .put("name", observation.get("name").textValue())
                    .put("start_time_unix_nano", isoNanos(observation.get("startTime")))
                    .put("end_time_unix_nano", isoNanos(observation.get("endTime")));
            JsonNode metadata = Json.parseOrNull(observation.path("metadata").textValue());
            ObjectNode attributes = metadata != null && metadata.path("attributes").isObject()
                    ? metadata.get("attributes").deepCopy() : Json.MAPPER.createObjectNode();
            if (observation.path("input").isTextual()) {
                attributes.put("gen_ai.input.messages", observation.get("input").textValue());
            }
            if (observation.path("output").isTextual()) {
                attributes.put("gen_ai.output.messages", observation.get("output").textValue());
            }
            span.set("attributes", attributes);
        }
        return TraceJsonCodec.decode(trace.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The spans of a list (or one span object), adapted, one minimal trace per trace id (a span without one alone). */
    private static List<Trace> tracesOf(JsonNode list, java.util.function.BiFunction<JsonNode, Integer, ObjectNode> adapter) {
        java.util.Map<String, ObjectNode> traces = new java.util.LinkedHashMap<>();
        List<JsonNode> spans = new java.util.ArrayList<>();
        (list.isArray() ? list : Json.MAPPER.createArrayNode().add(list)).forEach(spans::add);
        for (int i = 0; i < spans.size(); i++) {
            ObjectNode span = adapter.apply(spans.get(i), i);
            String traceId = span.has("trace_id") ? span.get("trace_id").asText()
                    : span.path("context").path("trace_id").asText("span " + i);
            traces.computeIfAbsent(traceId, id -> minimalTrace()).withObjectProperty("data").withArray("spans").add(span);
        }
        return traces.values().stream()
                .map(t -> TraceJsonCodec.decode(t.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .toList();
    }

    private static long isoNanos(JsonNode iso) {
        Instant instant = OffsetDateTime.parse(iso.textValue()).toInstant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private static Trace decode(String file) {
        return TraceJsonCodec.decode(bytes(file));
    }

    /** A span dict as the decoder reads it: inside the {@code data.spans} of a minimal trace. */
    private static Span decodeSpan(String file) {
        ObjectNode trace = minimalTrace();
        trace.withObjectProperty("data").withArray("spans").add(json(file));
        return TraceJsonCodec.decode(trace.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).spans().get(0);
    }

    /** A root span carrying {@code attributes}, decoded from a minimal trace. */
    private static Span spanWithAttributes(JsonNode attributes) {
        ObjectNode trace = minimalTrace();
        ObjectNode span = trace.withObjectProperty("data").withArray("spans").addObject();
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
