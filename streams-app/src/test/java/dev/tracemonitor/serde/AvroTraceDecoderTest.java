package dev.tracemonitor.serde;

import static dev.tracemonitor.serde.AvroTestSupport.confluentFrame;
import static dev.tracemonitor.serde.AvroTestSupport.contractSchema;
import static dev.tracemonitor.serde.AvroTestSupport.convert;
import static dev.tracemonitor.serde.AvroTestSupport.editedSchema;
import static dev.tracemonitor.serde.AvroTestSupport.fastRetries;
import static dev.tracemonitor.serde.AvroTestSupport.fields;
import static dev.tracemonitor.serde.AvroTestSupport.realisticTraceJson;
import static dev.tracemonitor.serde.AvroTestSupport.removeField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.serde.AvroDecodeException.Reason;
import dev.tracemonitor.serde.FakeSchemaRegistry.Failure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroTraceDecoderTest {

    private static final String TOPIC = "traces";
    private static final String SUBJECT = "traces-value";
    private static final Schema TRACE_AVSC = contractSchema("Trace.avsc");

    private FakeSchemaRegistry registry;
    private AvroTraceDecoder decoder;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
        decoder = new AvroTraceDecoder(new SchemaRegistryClient(fastRetries(registry.url(), 2)));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void aRealisticTraceSentLikeAConfluentProducerDecodesToTheSameTraceAsItsJson() {
        Trace fromJson = TraceJsonCodec.decode(realisticTraceJson());
        int id = registry.preRegister(SUBJECT, TRACE_AVSC);
        byte[] value = confluentFrame(id, TRACE_AVSC, AvroTraceCodec.toRecord(fromJson));

        Trace fromAvro = decoder.decode(TOPIC, value);

        assertThat(fromAvro).isEqualTo(fromJson);
        assertThat(fromAvro.info().assessments()).hasSize(4);
        assertThat(fromAvro.spans()).hasSize(5);
        assertThat(fromAvro.spans().get(1).events()).hasSize(1);
    }

    @Test
    void aRecordBuiltByHandFromTraceAvscMapsFieldByFieldOntoTheModel() {
        Schema info = TRACE_AVSC.getField("info").schema();
        Schema location = info.getField("trace_location").schema().getTypes().get(1);
        Schema span = TRACE_AVSC.getField("spans").schema().getElementType();
        Schema status = span.getField("status").schema().getTypes().get(1);
        GenericRecord record = new GenericRecordBuilder(TRACE_AVSC)
                .set("info", new GenericRecordBuilder(info)
                        .set("trace_id", "tr-1")
                        .set("trace_location", new GenericRecordBuilder(location)
                                .set("type", "MLFLOW_EXPERIMENT").set("experiment_id", "42").build())
                        .set("request_time", 1_748_772_930_123L)
                        .set("execution_duration_ms", 2350L)
                        .set("state", "OK")
                        .set("tags", Map.of("env", "prod"))
                        .build())
                .set("spans", List.of(new GenericRecordBuilder(span)
                        .set("span_id", "s1").set("parent_span_id", "").set("name", "agent")
                        .set("start_time_unix_nano", 1L).set("end_time_unix_nano", 2L)
                        .set("status", new GenericRecordBuilder(status).set("code", "STATUS_CODE_OK").build())
                        .set("attributes", Map.of(Span.SPAN_TYPE, "\"AGENT\""))
                        .build()))
                .build();
        int id = registry.preRegister(SUBJECT, TRACE_AVSC);

        Trace trace = decoder.decode(TOPIC, confluentFrame(id, TRACE_AVSC, record));

        TraceInfo i = trace.info();
        assertThat(i.traceId()).isEqualTo("tr-1");
        assertThat(i.experimentId()).isEqualTo("42");
        assertThat(i.requestTimeMillis()).isEqualTo(1_748_772_930_123L);
        assertThat(i.executionDurationMillis()).isEqualTo(2350L);
        assertThat(i.state()).isEqualTo("OK");
        assertThat(i.clientRequestId()).isNull();
        assertThat(i.tags()).isEqualTo(Map.of("env", "prod"));
        assertThat(i.traceMetadata()).isEmpty();
        assertThat(i.assessments()).isEmpty();
        Span root = trace.rootSpan();
        assertThat(root.spanId()).isEqualTo("s1");
        assertThat(root.isRoot()).isTrue();
        assertThat(root.parentSpanId()).isNull();
        assertThat(root.spanType()).isEqualTo("AGENT");
        assertThat(root.status().code()).isEqualTo("STATUS_CODE_OK");
        assertThat(root.status().message()).isNull();
    }

    @Test
    void aProducerOnAnOlderSchemaWithoutAnOptionalFieldStillDecodes() {
        Schema older = editedSchema("Trace.avsc", root -> removeField(fields(root, "info"), "request_preview"));
        Trace expected = TraceJsonCodec.decode(realisticTraceJson());
        GenericRecord record = convert(AvroTraceCodec.toRecord(expected), TRACE_AVSC, older);
        int id = registry.preRegister(SUBJECT, older);

        Trace trace = decoder.decode(TOPIC, confluentFrame(id, older, record));

        assertThat(older.getField("info").schema().getField("request_preview")).isNull();
        assertThat(trace.info().requestPreview()).isNull();
        assertThat(trace).isEqualTo(new Trace(withoutRequestPreview(expected.info()), expected.spans()));
    }

    @Test
    void aProducerOnANewerSchemaWithAnAddedOptionalFieldStillDecodes() {
        Schema newer = editedSchema("Trace.avsc", root -> fields(root, "info").addObject()
                .put("name", "session_id").putNull("default")
                .set("type", Json.MAPPER.createArrayNode().add("null").add("string")));
        Trace expected = TraceJsonCodec.decode(realisticTraceJson());
        GenericRecord record = convert(AvroTraceCodec.toRecord(expected), TRACE_AVSC, newer);
        ((GenericRecord) record.get("info")).put("session_id", "session-7");
        int id = registry.preRegister(SUBJECT, newer);

        Trace trace = decoder.decode(TOPIC, confluentFrame(id, newer, record));

        assertThat(trace).isEqualTo(expected);
    }

    @Test
    void aWriterSchemaOurReaderCannotResolveIsRejectedWithEachIncompatibilityOncePerId() {
        Schema broken = editedSchema("Trace.avsc", root -> removeField(fields(root, "info"), "trace_id"));
        GenericRecord record = convert(AvroTraceCodec.toRecord(TraceJsonCodec.decode(realisticTraceJson())), TRACE_AVSC,
                broken);
        int id = registry.preRegister(SUBJECT, broken);
        byte[] value = confluentFrame(id, broken, record);

        AvroDecodeException first = catchThrowableOfType(() -> decoder.decode(TOPIC, value), AvroDecodeException.class);
        AvroDecodeException second = catchThrowableOfType(() -> decoder.decode(TOPIC, value), AvroDecodeException.class);

        assertThat(first.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
        assertThat(first.schemaId()).isEqualTo(id);
        assertThat(first).hasMessage("writer schema id " + id + " (dev.tracemonitor.avro.Trace) cannot be read as"
                + " dev.tracemonitor.avro.Trace: READER_FIELD_MISSING_DEFAULT_VALUE 'trace_id' at /fields/0/type/fields/0");
        assertThat(second).hasMessage(first.getMessage());
        assertThat(registry.requestsTo("/schemas/ids/")).isEqualTo(1);
    }

    @Test
    void theWriterSchemaIsFetchedOncePerIdAndThenServedFromTheCache() {
        int id = registry.preRegister(SUBJECT, TRACE_AVSC);
        byte[] value = confluentFrame(id, TRACE_AVSC, AvroTraceCodec.toRecord(TraceJsonCodec.decode(realisticTraceJson())));

        for (int i = 0; i < 5; i++) {
            decoder.decode(TOPIC, value);
        }

        assertThat(registry.requestsTo("/schemas/ids/" + id)).isEqualTo(1);
    }

    @Test
    void anUnknownSchemaIdIsAnInvalidTraceNamingTheIdAndTheRegistryError() {
        byte[] value = {0, 0, 0, 3, (byte) 0xe7, 2, 'x'};

        assertThatThrownBy(() -> decoder.decode(TOPIC, value))
                .isInstanceOf(InvalidTraceException.class)
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
                    assertThat(e.schemaId()).isEqualTo(999);
                    assertThat(e.getCause()).isInstanceOfSatisfying(SchemaNotFoundException.class, nf -> {
                        assertThat(nf.status()).isEqualTo(404);
                        assertThat(nf.errorCode()).isEqualTo(SchemaNotFoundException.SCHEMA_NOT_FOUND);
                    });
                })
                .hasMessageStartingWith("unknown schema id 999: the registry has no such schema")
                .hasMessageContaining("error_code 40403: Schema 999 not found");
    }

    @Test
    void aValueThatDoesNotStartWithTheMagicByteIsRejectedAndJsonIsRecognised() {
        byte[] json = TraceJsonCodec.encode(TraceJsonCodec.decode(realisticTraceJson()));

        assertThatThrownBy(() -> decoder.decode(TOPIC, json))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_MAGIC_BYTE))
                .hasMessageContaining("first byte is 0x7b, expected magic byte 0x00")
                .hasMessageContaining("looks like JSON");
        assertThatThrownBy(() -> decoder.decode(TOPIC, new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_MAGIC_BYTE))
                .hasMessageContaining("first byte is 0x01");
        assertThat(registry.requests()).isEmpty();
    }

    @Test
    void aValueShorterThanTheHeaderOrEmptyIsTruncated() {
        assertThatThrownBy(() -> decoder.decode(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED))
                .hasMessageContaining("3 bytes is shorter than the 5-byte Confluent header");
        assertThatThrownBy(() -> decoder.decode(TOPIC, new byte[0]))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
        assertThatThrownBy(() -> decoder.decode(TOPIC, null))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    }

    @Test
    void aPayloadThatIsNotTheWriterSchemasEncodingIsMalformed() {
        int id = registry.preRegister(SUBJECT, TRACE_AVSC);
        byte[] cut = confluentFrame(id, TRACE_AVSC, AvroTraceCodec.toRecord(TraceJsonCodec.decode(realisticTraceJson())));
        byte[] truncated = Arrays.copyOf(cut, cut.length / 2);
        byte[] padded = Arrays.copyOf(cut, cut.length + 3);

        assertThatThrownBy(() -> decoder.decode(TOPIC, truncated))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_PAYLOAD))
                .hasMessageStartingWith("Avro payload does not decode with writer schema id " + id);
        assertThatThrownBy(() -> decoder.decode(TOPIC, padded))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_PAYLOAD))
                .hasMessageContaining("bytes left over after the record");
    }

    @Test
    void aRecordWithoutATraceIdIsAnInvalidTraceLikeInJson() {
        GenericRecord record = AvroTraceCodec.toRecord(TraceJsonCodec.decode(realisticTraceJson()));
        ((GenericRecord) record.get("info")).put("trace_id", "");
        int id = registry.preRegister(SUBJECT, TRACE_AVSC);

        assertThatThrownBy(() -> decoder.decode(TOPIC, confluentFrame(id, TRACE_AVSC, record)))
                .isExactlyInstanceOf(InvalidTraceException.class)
                .hasMessage("missing info.trace_id");
    }

    @Test
    void aSchemaIdOfAnotherSchemaTypeIsUnsupported() {
        registry.putOtherType(100, "PROTOBUF", "syntax = \"proto3\"; message Trace { string trace_id = 1; }");

        assertThatThrownBy(() -> decoder.decode(TOPIC, new byte[] {0, 0, 0, 0, 100, 2, 'x'}))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_SCHEMA))
                .hasMessage("schema id 100 is a PROTOBUF schema, not Avro");
    }

    @Test
    void aRegistryAnswering503IsRetriedABoundedNumberOfTimesThenReportedAsUnavailableNotAsAnInvalidTrace() {
        registry.failNext(100, Failure.SERVICE_UNAVAILABLE);
        byte[] value = {0, 0, 0, 0, 1, 2, 'x'};

        long start = System.nanoTime();
        SchemaRegistryUnavailableException e = catchThrowableOfType(() -> decoder.decode(TOPIC, value),
                SchemaRegistryUnavailableException.class);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(e).isNotInstanceOf(InvalidTraceException.class);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e).hasMessageContaining("GET /schemas/ids/1 failed 3 time(s)")
                .hasMessageContaining("HTTP 503, error_code 50003");
        assertThat(registry.requestsTo("/schemas/ids/1")).isEqualTo(3);
        assertThat(elapsedMillis).isLessThan(5_000);
    }

    @Test
    void aRegistryDroppingConnectionsIsRetriedThenReportedAsUnavailable() {
        registry.failNext(100, Failure.CLOSE_CONNECTION);

        assertThatThrownBy(() -> decoder.decode(TOPIC, new byte[] {0, 0, 0, 0, 1, 2, 'x'}))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("failed 3 time(s)")
                .hasMessageContaining("IOException");
        // java.net.http itself re-sends an idempotent GET once when the connection closes before an answer
        assertThat(registry.requestsTo("/schemas/ids/1")).isBetween(3L, 6L);
    }

    @Test
    void aRegistryThatNobodyListensOnIsReportedAsUnavailableAfterTheRetries() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AvroTraceDecoder unreachable = new AvroTraceDecoder(
                new SchemaRegistryClient(fastRetries("http://127.0.0.1:" + closedPort, 1)));

        assertThatThrownBy(() -> unreachable.decode(TOPIC, new byte[] {0, 0, 0, 0, 1, 2, 'x'}))
                .isInstanceOfSatisfying(SchemaRegistryUnavailableException.class,
                        e -> assertThat(e.getCause()).isInstanceOf(ConnectException.class))
                .hasMessageContaining("failed 2 time(s)");
    }

    @Test
    void aRegistryThatRecoversWithinTheRetriesIsNeverNoticed() {
        int id = registry.preRegister(SUBJECT, TRACE_AVSC);
        Trace expected = TraceJsonCodec.decode(realisticTraceJson());
        registry.failNext(2, Failure.SERVICE_UNAVAILABLE);

        Trace trace = decoder.decode(TOPIC, confluentFrame(id, TRACE_AVSC, AvroTraceCodec.toRecord(expected)));

        assertThat(trace).isEqualTo(expected);
        assertThat(registry.requestsTo("/schemas/ids/")).isEqualTo(3);
    }

    @Test
    void aDeadFirstUrlFailsOverToTheNextRegistryInstance() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        int id = registry.preRegister(SUBJECT, TRACE_AVSC);
        SchemaRegistrySettings two = SchemaRegistrySettings.fromConfig(Map.of(SchemaRegistrySettings.URL,
                "http://127.0.0.1:" + closedPort + "," + registry.url(), SchemaRegistrySettings.RETRY_BACKOFF_MS, "1"));
        AvroTraceDecoder failingOver = new AvroTraceDecoder(new SchemaRegistryClient(two));
        Trace expected = TraceJsonCodec.decode(realisticTraceJson());

        assertThat(failingOver.decode(TOPIC, confluentFrame(id, TRACE_AVSC, AvroTraceCodec.toRecord(expected))))
                .isEqualTo(expected);
    }

    private static TraceInfo withoutRequestPreview(TraceInfo i) {
        return new TraceInfo(i.traceId(), i.clientRequestId(), i.traceLocation(), i.requestTimeMillis(),
                i.executionDurationMillis(), i.state(), null, i.responsePreview(), i.traceMetadata(), i.tags(),
                i.assessments());
    }
}
