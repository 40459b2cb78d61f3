package dev.tracemonitor.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.testing.TestTraces;
import dev.tracemonitor.testing.TraceJsonVariants;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;

class TraceJsonCodecTest {

    /** The shape MLflow 3 writes with Trace.to_json(): protobuf-JSON timestamps and durations, JSON-encoded attributes. */
    private static final String MLFLOW_TRACE = """
            {"info": {"trace_id": "tr-abc", "client_request_id": "req-1",
              "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "42"}},
              "request_time": "2025-06-01T12:00:00.250Z", "execution_duration": "1.5s", "state": "OK",
              "request_preview": "{\\"question\\": \\"hi\\"}", "response_preview": "hello",
              "trace_metadata": {"mlflow.trace_schema.version": "3"}, "tags": {"env": "prod"},
              "assessments": [{"assessment_id": "a-1", "assessment_name": "user_ok", "trace_id": "tr-abc",
                "source": {"source_type": "HUMAN", "source_id": "bob"},
                "create_time": "2025-06-01T12:01:00Z", "last_update_time": "2025-06-01T12:01:00Z",
                "feedback": {"value": true}}]},
             "data": {"spans": [
               {"trace_id": "dHItYWJj", "span_id": "AAAAAAAAAAE=", "parent_span_id": null, "name": "chain",
                "start_time_unix_nano": 1748779200250000000, "end_time_unix_nano": 1748779201750000000,
                "status": {"code": "STATUS_CODE_OK", "message": ""}, "events": [],
                "attributes": {"mlflow.spanType": "\\"CHAIN\\"", "mlflow.spanInputs": "{\\"question\\": \\"hi\\"}",
                               "mlflow.spanOutputs": "\\"hello\\""}},
               {"trace_id": "dHItYWJj", "span_id": "AAAAAAAAAAI=", "parent_span_id": "AAAAAAAAAAE=", "name": "retrieve",
                "start_time_unix_nano": 1748779200300000000, "end_time_unix_nano": 1748779200400000000,
                "status": {"code": "STATUS_CODE_OK", "message": ""}, "events": [],
                "attributes": {"mlflow.spanType": "\\"RETRIEVER\\"", "mlflow.spanInputs": "{\\"query\\": \\"hi\\"}",
                  "mlflow.spanOutputs": "[{\\"page_content\\": \\"greetings\\", \\"metadata\\": {\\"doc_uri\\": \\"d1\\", \\"chunk_id\\": \\"1\\"}, \\"id\\": \\"x\\"}]"}}]}}
            """;

    @Test
    void decodesWhatMlflowWrites() {
        Trace trace = TraceJsonCodec.decode(TestTraces.utf8(MLFLOW_TRACE));
        assertThat(trace.traceId()).isEqualTo("tr-abc");
        assertThat(trace.info().experimentId()).isEqualTo("42");
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1748779200250L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(1500L);
        assertThat(trace.info().assessments()).singleElement()
                .satisfies(a -> assertThat(a.feedback().value()).isEqualTo(true));
        assertThat(trace.rootSpan().name()).isEqualTo("chain");
        assertThat(TraceText.request(trace)).isEqualTo("hi");
        assertThat(TraceText.response(trace)).isEqualTo("hello");
        assertThat(TraceText.topLevelRetrievals(trace)).singleElement().satisfies(r -> {
            assertThat(r.spanId()).as("MLflow 3.0-3.4 base64 id, read as hex").isEqualTo("0000000000000002");
            assertThat(r.documents()).containsExactly(new RetrievedDocument("greetings", "d1", "1", "x"));
        });
    }

    @Test
    void encodeThenDecodeKeepsEverything() {
        for (DemoTraces.DemoRecord record : new DemoTraces(1, "42", 1_700_000_000_000L).generate(50, 0)) {
            Trace trace = TraceJsonCodec.decode(record.value());
            assertThat(TraceJsonCodec.decode(TraceJsonCodec.encode(trace))).isEqualTo(trace);
        }
    }

    @Test
    void receivedJsonIsKeptWhenItsTraceComesBackUnchangedFromEncoding() {
        for (Map.Entry<String, byte[]> variant : TraceJsonVariants.reusable().entrySet()) {
            ReceivedTrace received = TraceJsonCodec.decodeReceived(variant.getValue());
            assertThat(received.json()).as(variant.getKey()).isSameAs(variant.getValue());
            assertThat(received.trace()).as(variant.getKey()).isEqualTo(TraceJsonCodec.decode(variant.getValue()));
            assertThat(TraceJsonCodec.decode(TraceJsonCodec.encode(received.trace()))).as(variant.getKey())
                    .isEqualTo(received.trace());
        }
    }

    @Test
    void receivedJsonIsDroppedWhenEncodingWouldChangeItsTrace() {
        for (Map.Entry<String, byte[]> variant : TraceJsonVariants.normalizedByEncoding().entrySet()) {
            ReceivedTrace received = TraceJsonCodec.decodeReceived(variant.getValue());
            assertThat(received.json()).as(variant.getKey()).isNull();
            assertThat(received.trace()).as(variant.getKey()).isEqualTo(TraceJsonCodec.decode(variant.getValue()));
            Trace reencoded;
            try {
                reencoded = TraceJsonCodec.decode(TraceJsonCodec.encode(received.trace()));
            } catch (InvalidTraceException e) {
                continue;
            }
            assertThat(reencoded).as(variant.getKey()).isNotEqualTo(received.trace());
        }
    }

    @Test
    void receivedJsonIsDroppedUnlessItIsOneUtf8ObjectAlone() {
        for (Map.Entry<String, byte[]> variant : TraceJsonVariants.notForwardableBytes().entrySet()) {
            ReceivedTrace received = TraceJsonCodec.decodeReceived(variant.getValue());
            assertThat(received.json()).as(variant.getKey()).isNull();
            assertThat(received.trace()).as(variant.getKey()).isEqualTo(TraceJsonCodec.decode(variant.getValue()));
        }
    }

    @Test
    void negativeExecutionDurationSurvivesEncoding() {
        Trace trace = TraceJsonCodec.decode(TestTraces.utf8("""
                {"info": {"trace_id": "tr-neg", "request_time": "2025-01-01T00:00:00Z", "execution_time_ms": -1005}}"""));
        assertThat(trace.info().executionDurationMillis()).isEqualTo(-1005L);

        String encoded = new String(TraceJsonCodec.encode(trace), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(encoded).contains("\"execution_duration\":\"-1.005s\"");
        assertThat(TraceJsonCodec.decode(TraceJsonCodec.encode(trace))).isEqualTo(trace);
    }

    @Test
    void textThatOnlyStartsLikeJsonStaysText() {
        Trace trace = TraceJsonCodec.decode(TestTraces.utf8("""
                {"info": {"trace_id": "tr-txt", "request_time": "2025-01-01T00:00:00Z"},
                 "data": {"spans": [{"span_id": "s1", "name": "root", "start_time_unix_nano": 1, "end_time_unix_nano": 2,
                   "events": [{"name": "http", "time_unix_nano": 1, "attributes": {"status": "404 Not Found"}}],
                   "attributes": {"mlflow.spanInputs": "\\"2 plus 2?\\"", "mlflow.spanOutputs": "4 is the answer"}}]}}"""));
        assertThat(TraceText.response(trace)).isEqualTo("4 is the answer");
        assertThat(trace.rootSpan().events()).singleElement()
                .satisfies(e -> assertThat(e.attributes()).containsEntry("status", "404 Not Found"));

        Trace again = TraceJsonCodec.decode(TraceJsonCodec.encode(trace));
        assertThat(again).isEqualTo(trace);
        assertThat(again.rootSpan().events().get(0).attributes()).containsEntry("status", "404 Not Found");
    }

    @Test
    void chatRequestIsTheLastUserMessageAndChatResponseTheFirstChoice() {
        Trace trace = TraceJsonCodec.decode(TestTraces.chat("t", "1", "what is kafka?", "a log"));
        assertThat(TraceText.request(trace)).isEqualTo("what is kafka?");
        assertThat(TraceText.response(trace)).isEqualTo("a log");
    }

    @Test
    void rejectsWhatCannotBeATraceWithAReason() {
        List<String> bad = List.of("", "not json", "[1]", "{\"data\": {}}", "{\"info\": {}}",
                "{\"info\": {\"trace_id\": \"t\"}}",
                "{\"info\": {\"trace_id\": \"t\", \"request_time\": \"noon\"}}",
                "{\"info\": {\"trace_id\": \"t\", \"request_time\": 1}, \"data\": {\"spans\": 3}}",
                "{\"info\": {\"trace_id\": \"t\", \"request_time\": 1}, \"data\": {\"spans\": [{\"name\": \"no id\"}]}}");
        for (String json : bad) {
            assertThatThrownBy(() -> TraceJsonCodec.decode(TestTraces.utf8(json)))
                    .as(json).isInstanceOf(InvalidTraceException.class)
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotStartWith("null"));
            assertThatThrownBy(() -> TraceJsonCodec.decodeReceived(TestTraces.utf8(json)))
                    .as(json).isInstanceOf(InvalidTraceException.class);
        }
    }

    @Test
    void assessmentIdIsDeterministicPerTraceNameAndSpan() {
        String a = Assessment.deterministicId("t1", "safety", null);
        assertThat(Assessment.deterministicId("t1", "safety", null)).isEqualTo(a);
        assertThat(Assessment.deterministicId("t1", "safety", "s1")).isNotEqualTo(a);
        assertThat(Assessment.deterministicId("t2", "safety", null)).isNotEqualTo(a);
    }

    private static final String SPAN_TRACE = "{\"info\":{\"trace_id\":\"tr-s\",\"request_time\":\"2025-01-01T00:00:00Z\","
            + "\"trace_location\":{\"type\":\"MLFLOW_EXPERIMENT\",\"mlflow_experiment\":{\"experiment_id\":\"7\"}}},"
            + "\"data\":{\"spans\":[{\"span_id\":\"0000000000000001\",\"name\":\"root\",%s}]}}";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "data after the object | `{\"info\":{\"trace_id\":\"t\",\"request_time\":0}} garbage` | not JSON: Unrecognized token 'garbage'",
            "two objects back to back | `{\"info\":{\"trace_id\":\"t\",\"request_time\":0}}{\"info\":{}}` | data after the trace's JSON value",
            "trace_id twice | `{\"info\":{\"trace_id\":\"a\",\"trace_id\":\"b\",\"request_time\":0}}` | Duplicate field 'trace_id'"})
    void ambiguousJsonIsRefused(String what, String json, String reason) {
        assertThatThrownBy(() -> TraceJsonCodec.decode(TestTraces.utf8(json))).as(what)
                .isInstanceOf(InvalidTraceException.class).hasMessageContaining(reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "start time not a number | `\"start_time_unix_nano\":\"abc\"` | data.spans[0].start_time_unix_nano must be an integer of nanoseconds, found \"abc\"",
            "start time 1e400 | `\"start_time_unix_nano\":1e400` | data.spans[0].start_time_unix_nano must be a number within the range of a double, found 1e400",
            "end time beyond int64 | `\"end_time_unix_nano\":92233720368547758070` | data.spans[0].end_time_unix_nano must be an integer of nanoseconds",
            "end time beyond int64 as text | `\"end_time_unix_nano\":\"92233720368547758070\"` | data.spans[0].end_time_unix_nano is beyond int64",
            "negative start time | `\"start_time_unix_nano\":-5` | data.spans[0].start_time_unix_nano is negative: -5",
            "attributes a list | `\"attributes\":[1,2]` | data.spans[0].attributes must be an object, found array",
            "events an object | `\"events\":{\"name\":\"e\"}` | data.spans[0].events must be a list, found object",
            "status a number | `\"status\":3` | data.spans[0].status must be an object, found number"})
    void spanFieldsOfTheWrongTypeAreRefusedNamingTheField(String what, String fields, String reason) {
        byte[] json = TestTraces.utf8(SPAN_TRACE.formatted(fields));
        assertThatThrownBy(() -> TraceJsonCodec.decode(json)).as(what)
                .isInstanceOf(InvalidTraceException.class).hasMessageContaining(reason);
    }

    @Test
    void aSpanIdOrNameOfAnotherTypeIsRefused() {
        String base = SPAN_TRACE.replace("\"span_id\":\"0000000000000001\",\"name\":\"root\",%s", "%s");
        assertThatThrownBy(() -> TraceJsonCodec.decode(TestTraces.utf8(base.formatted("\"span_id\":7,\"name\":\"r\""))))
                .isInstanceOf(InvalidTraceException.class)
                .hasMessageContaining("data.spans[0].span_id must be a string, found number 7");
        assertThatThrownBy(() -> TraceJsonCodec.decode(TestTraces.utf8(
                        base.formatted("\"span_id\":\"s\",\"name\":{\"a\":1}"))))
                .isInstanceOf(InvalidTraceException.class)
                .hasMessageContaining("data.spans[0].name must be a string, found object");
    }

    /** A trace with {@code bytes} inside a tag's value, or as a tag's key. */
    private static byte[] withBytes(String hex, boolean inKey) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(TestTraces.utf8("{\"info\":{\"trace_id\":\"tr-u\",\"request_time\":0,\"tags\":{\""
                + (inKey ? "" : "env\":\"a")));
        for (String b : hex.split(" ")) {
            out.write(Integer.parseInt(b, 16));
        }
        out.writeBytes(TestTraces.utf8(inKey ? "\":\"v\"}}}" : "b\"}}}"));
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0} in a {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "overlong '/' (2 bytes)           | C0 AF          | value | an overlong encoding",
            "overlong '/' (3 bytes)           | E0 80 AF       | value | an overlong encoding",
            "overlong '/' (4 bytes)           | F0 80 80 AF    | key   | an overlong encoding",
            "overlong NUL                     | C0 80          | key   | an overlong encoding",
            "U+110000                         | F4 90 80 80    | value | a code point above U+10FFFF",
            "F5 lead byte                     | F5 80 80 80    | key   | a code point above U+10FFFF",
            "lone high surrogate (CESU-8)     | ED A0 80       | value | a UTF-16 surrogate encoded in UTF-8 (CESU-8)",
            "surrogate pair of 😀 in CESU-8 | ED A0 BD ED B8 80 | key | a UTF-16 surrogate encoded in UTF-8 (CESU-8)",
            "truncated euro sign              | E2 82          | value | a truncated multi-byte sequence",
            "truncated emoji                  | F0 9F 98       | key   | a truncated multi-byte sequence",
            "stray continuation byte          | 80             | value | a continuation byte without a lead byte"})
    void invalidUtf8IsRefusedNamingTheProblemAndTheField(String what, String hex, String where, String problem) {
        byte[] json = withBytes(hex.trim(), where.equals("key"));
        String path = where.equals("key") ? ", in a key of /info/tags" : ", in the value at /info/tags/env";
        assertThatThrownBy(() -> TraceJsonCodec.decode(json)).as(what)
                .isInstanceOf(InvalidTraceException.class)
                .hasMessageStartingWith("invalid UTF-8 at byte ")
                .hasMessageContaining(": " + problem.trim() + path);
        assertThatThrownBy(() -> TraceJsonCodec.decodeReceived(json)).as(what).isInstanceOf(InvalidTraceException.class);
    }

    @Test
    void aMultiByteSequenceCutOffByTheEndOfTheRecordIsRefused() {
        byte[] whole = TestTraces.utf8("{\"info\":{\"trace_id\":\"tr-u\",\"request_time\":0}}");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length + 1);
        cut[whole.length] = (byte) 0xC3;
        assertThatThrownBy(() -> TraceJsonCodec.decode(cut)).isInstanceOf(InvalidTraceException.class)
                .hasMessage("invalid UTF-8 at byte " + whole.length + ": a truncated multi-byte sequence");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"é | C3 A9", "€ | E2 82 AC", "U+FFFD | EF BF BD", "U+D7FF | ED 9F BF",
            "U+E000 | EE 80 80", "😀 | F0 9F 98 80", "U+10FFFF | F4 8F BF BF"})
    void wellFormedUtf8IsReadInKeysAndValues(String what, String hex) {
        String text = new String(withBytes(hex.trim(), false), java.nio.charset.StandardCharsets.UTF_8);
        String character = text.substring(text.indexOf("\"a") + 2, text.indexOf("b\""));
        assertThat(TraceJsonCodec.decode(withBytes(hex.trim(), false)).info().tags()).as(what)
                .containsEntry("env", "a" + character + "b");
        assertThat(TraceJsonCodec.decode(withBytes(hex.trim(), true)).info().tags()).as(what)
                .containsEntry(character, "v");
        assertThat(character.codePointCount(0, character.length())).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "duration ms 1e400 | `\"execution_duration_ms\":1e400` | info.execution_duration_ms must be a number within the range of a double, found 1e400",
            "duration ms beyond int64 | `\"execution_duration_ms\":92233720368547758070` | info.execution_duration_ms must be a whole number of milliseconds within int64, found 92233720368547758070",
            "duration ms beyond int64 as text | `\"execution_duration_ms\":\"92233720368547758070\"` | info.execution_duration_ms is beyond int64",
            "duration ms with a fraction | `\"execution_time_ms\":1.5` | info.execution_time_ms must be a whole number of milliseconds within int64, found 1.5",
            "duration ms a word | `\"execution_time_ms\":\"slow\"` | info.execution_time_ms must be a whole number of milliseconds within int64, found \"slow\"",
            "proto duration -2.5E+309 | `\"execution_duration\":-2.5E+309` | info.execution_duration must be a number within the range of a double, found -2.5E+309",
            "MLflow 2 duration beside a valid proto duration | `\"execution_duration\":\"1.5s\",\"execution_time_ms\":1.5` | info.execution_time_ms must be a whole number of milliseconds within int64, found 1.5",
            "request time 1e400 | `\"request_time\":1e400` | info.request_time must be a number within the range of a double, found 1e400",
            "MLflow 2 request time beyond int64 | `\"timestamp_ms\":-92233720368547758070` | info.timestamp_ms must be a whole number of milliseconds within int64, found -92233720368547758070",
            "MLflow 2 request time beyond int64 beside a valid request_time | `\"request_time\":\"2025-01-01T00:00:00Z\",\"timestamp_ms\":-92233720368547758070` | info.timestamp_ms must be a whole number of milliseconds within int64, found -92233720368547758070",
            "MLflow 2 request time a word beside a valid request_time | `\"request_time\":\"2025-01-01T00:00:00Z\",\"timestamp_ms\":\"abc\"` | info.timestamp_ms is not a timestamp: abc",
            "a feedback value 1e400 | `\"assessments\":[{\"assessment_name\":\"x\",\"feedback\":{\"value\":[1e400]}}]` | info.assessments[0].feedback.value[0] must be a number within the range of a double, found 1e400"})
    void numbersOutOfRangeAreRefusedNamingTheField(String what, String field, String reason) {
        String json = "{\"info\":{\"trace_id\":\"tr-n\"," + (field.contains("request_time") || field.contains("timestamp_ms") ? ""
                : "\"request_time\":\"2025-01-01T00:00:00Z\",") + field + "}}";
        assertThatThrownBy(() -> TraceJsonCodec.decode(TestTraces.utf8(json))).as(what)
                .isInstanceOf(InvalidTraceException.class).hasMessageContaining(reason);
    }

    @Test
    void infoNumbersInRangeAreReadAsTheyAre() {
        Trace trace = TraceJsonCodec.decode(TestTraces.utf8("""
                {"info": {"trace_id": "tr-ok", "request_time": 1748779200250.0, "execution_duration_ms": "1500"}}"""));
        assertThat(trace.info().requestTimeMillis()).isEqualTo(1_748_779_200_250L);
        assertThat(trace.info().executionDurationMillis()).isEqualTo(1500L);
    }
}
