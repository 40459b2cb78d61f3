package dev.tracemonitor.testing;

import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trace JSON in the shapes the tolerant decoder accepts (MLflow 3 and 2, numbers where MLflow writes text, missing
 * optional parts), sorted by what forwarding them as received would do: {@link #reusable} ones decode to what their
 * re-encoding decodes to; the others must be re-encoded.
 */
public final class TraceJsonVariants {

    private static final String MLFLOW_3 = """
            {"info": {"trace_id": "tr-v3", "client_request_id": "req-1",
              "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "7"}},
              "request_time": "2025-06-01T12:00:00.250Z", "execution_duration": "1.5s", "state": "OK",
              "request_preview": "{\\"question\\": \\"hi\\"}", "response_preview": "hello",
              "trace_metadata": {"mlflow.trace_schema.version": "3"}, "tags": {"env": "prod"},
              "assessments": [{"assessment_id": "a-1", "assessment_name": "user_ok", "trace_id": "tr-v3",
                "source": {"source_type": "HUMAN", "source_id": "bob"},
                "create_time": "2025-06-01T12:01:00Z", "last_update_time": "2025-06-01T12:01:00Z",
                "feedback": {"value": true}, "rationale": "looks right", "metadata": {"k": "v"}}]},
             "data": {"spans": [
               {"trace_id": "dHItdjM=", "span_id": "AAAAAAAAAAE=", "parent_span_id": null, "name": "chain",
                "start_time_unix_nano": 1748779200250000000, "end_time_unix_nano": 1748779201750000000,
                "status": {"code": "STATUS_CODE_OK", "message": ""}, "events": [],
                "attributes": {"mlflow.spanType": "\\"CHAIN\\"", "mlflow.spanInputs": "{\\"question\\": \\"hi\\"}",
                               "mlflow.spanOutputs": "\\"hello\\""}},
               {"trace_id": "dHItdjM=", "span_id": "AAAAAAAAAAI=", "parent_span_id": "AAAAAAAAAAE=", "name": "retrieve",
                "start_time_unix_nano": 1748779200300000000, "end_time_unix_nano": 1748779200400000000,
                "status": {"code": "STATUS_CODE_ERROR", "message": "ValueError: no index"},
                "events": [{"name": "exception", "time_unix_nano": 1748779200400000000,
                  "attributes": {"exception.type": "ValueError", "exception.message": "no index",
                                 "exception.escaped": "False", "retries": 3, "fatal": true, "detail": {"a": [1, 2]},
                                 "empty": "", "none": null}}],
                "attributes": {"mlflow.spanType": "\\"RETRIEVER\\"", "mlflow.spanInputs": "{\\"query\\": \\"hi\\"}",
                  "mlflow.spanOutputs": "[{\\"page_content\\": \\"greetings\\", \\"metadata\\": {\\"doc_uri\\": \\"d1\\"}}]"}}]}}
            """;

    /** MLflow 2's {@code Trace.to_dict()} as MLflow 2 writes it: the corpus's files (origins in its SOURCES.md). */
    private static final List<String> MLFLOW_2 = List.of("mlflow2-trace-dict.json", "mlflow2-remote-trace-dict.json",
            "mlflow2-weather-trace-dict.json");

    private static final String ODD_ASSESSMENTS = """
            {"info": {"trace_id": "tr-odd", "trace_location": {"mlflow_experiment": {"experiment_id": "7"}},
              "request_time": 1700000000000, "execution_duration": "PT2.5S",
              "assessments": [
                {"assessment_name": "score", "feedback": {"value": 0.75}, "create_time": 1700000000001},
                {"assessment_name": "labels", "span_id": "s1", "feedback": {"value": {"a": [1, 2.5, "x", null, -0.0]}},
                 "source": {"source_type": null}},
                {"assessment_name": "big", "feedback": {"value": 123456789012345678901234567890}},
                {"assessment_name": "failed", "feedback": {"error": {"error_code": "TIMEOUT", "error_message": "late"}}},
                {"assessment_name": "empty", "feedback": {}},
                {"assessment_name": "expected", "expectation": {"value": "x"}, "metadata": {"n": 2}}]},
             "data": {"spans": []}}
            """;

    private static final String TIMES = """
            {"info": {"trace_id": "tr-times", "request_time": "1969-12-31T23:59:59.9995Z",
              "execution_duration": "0.0005s"},
             "data": {"spans": [{"span_id": "s1", "start_time_unix_nano": "17", "end_time_unix_nano": 1500,
               "status": {"code": null, "message": "m"}, "name": "n"}]}}
            """;

    private static final String TEXT = """
            {"info": {"trace_id": "tr-text", "request_time": "2025-06-01T12:00:00.123456789Z",
              "request_preview": "caf\\u00e9 \\ud83d\\ude00 \\/ \\n tab\\t", "extra": {"ignored": [1]}},
             "data": null, "unknown": 1}
            """;

    private static final String BARE = "{\"info\":{\"trace_id\":\"tr-bare\",\"request_time\":\"2025-01-01T00:00:00Z\"}}";

    private TraceJsonVariants() {
    }

    /** Values whose trace comes back unchanged from its encoding, so they can be forwarded instead. */
    public static Map<String, byte[]> reusable() {
        Map<String, byte[]> variants = new LinkedHashMap<>();
        variants.put("mlflow 3", TestTraces.utf8(MLFLOW_3));
        for (String file : MLFLOW_2) {
            variants.put("mlflow 2: " + file, realTrace("mlflow/" + file));
        }
        variants.put("assessments of every kind", TestTraces.utf8(ODD_ASSESSMENTS));
        variants.put("times before 1970, sub-millisecond, as numbers and text", TestTraces.utf8(TIMES));
        variants.put("escapes and unknown fields", TestTraces.utf8(TEXT));
        variants.put("info only", TestTraces.utf8(BARE));
        variants.put("event attribute starting with a number", TestTraces.utf8(event("\"404 Not Found\"")));
        variants.put("negative duration", TestTraces.utf8(BARE.replace("}}", ",\"execution_time_ms\":-5}}")));
        variants.put("large duration", TestTraces.utf8(BARE.replace("}}", ",\"execution_time_ms\":1000000000000000}}")));
        for (DemoRecord record : demoTraces()) {
            variants.put("quickstart " + record.kind() + " " + record.key(), record.value());
        }
        variants.put("span status without a message (read as an empty message)", TestTraces.utf8(span("\"status\": {\"code\": \"STATUS_CODE_OK\"}")));
        return variants;
    }

    /** Traces whose encoding normalizes something, so they decode differently once encoded (or not at all). */
    public static Map<String, byte[]> normalizedByEncoding() {
        Map<String, byte[]> variants = new LinkedHashMap<>();
        variants.put("event attribute holding a JSON string", TestTraces.utf8(event("\"\\\"quoted\\\"\"")));
        variants.put("event attribute holding spaced JSON", TestTraces.utf8(event("\"[1, 2]\"")));
        variants.put("event attribute holding a number in another form", TestTraces.utf8(event("\"1e2\"")));
        variants.put("duration beyond a double's precision",
                TestTraces.utf8(BARE.replace("}}", ",\"execution_time_ms\":1152921504606846977}}")));
        return variants;
    }

    /** Traces that come back unchanged from their encoding, in bytes that are not plain UTF-8 JSON of one object. */
    public static Map<String, byte[]> notForwardableBytes() {
        Map<String, byte[]> variants = new LinkedHashMap<>();
        variants.put("UTF-16", BARE.getBytes(StandardCharsets.UTF_16BE));
        variants.put("UTF-16LE", BARE.getBytes(StandardCharsets.UTF_16LE));
        variants.put("byte order mark", TestTraces.utf8("\uFEFF" + BARE));
        variants.put("leading whitespace", TestTraces.utf8(" " + BARE));
        return variants;
    }

    private static List<DemoRecord> demoTraces() {
        List<DemoRecord> records = new ArrayList<>();
        for (DemoRecord record : new DemoTraces(5, "7", 1_760_000_000_000L).generate(40, 0)) {
            if (records.stream().noneMatch(r -> r.kind().equals(record.kind()))) {
                records.add(record);
            }
        }
        return records;
    }

    private static String span(String field) {
        return "{\"info\":{\"trace_id\":\"tr-span\",\"request_time\":1},\"data\":{\"spans\":[{\"span_id\":\"s1\","
                + field + "}]}}";
    }

    private static String event(String attributeValue) {
        return span("\"events\":[{\"name\":\"exception\",\"attributes\":{\"exception.message\":" + attributeValue + "}}]");
    }

    private static byte[] realTrace(String file) {
        try (var in = TraceJsonVariants.class.getResourceAsStream("/real-traces/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no fixture /real-traces/" + file);
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
