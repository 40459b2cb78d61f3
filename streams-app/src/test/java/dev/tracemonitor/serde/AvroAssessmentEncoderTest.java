package dev.tracemonitor.serde;

import static dev.tracemonitor.serde.AvroTestSupport.editedSchema;
import static dev.tracemonitor.serde.AvroTestSupport.fastRetries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.Feedback;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.serde.FakeSchemaRegistry.Failure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroAssessmentEncoderTest {

    private static final String TOPIC = "trace-feedback";
    private static final String SUBJECT = "trace-feedback-value";

    private FakeSchemaRegistry registry;
    private SchemaRegistryClient client;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
        client = new SchemaRegistryClient(fastRetries(registry.url(), 2));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void feedbackDecodesWithAPlainAvroReaderGivenTheSchemaFetchedByTheIdInTheFrame() throws Exception {
        Assessment verdict = verdict("relevance_to_query", Feedback.of("yes"));

        byte[] value = new AvroAssessmentEncoder(client).encode(TOPIC, verdict);

        GenericRecord record = readLikeAConfluentConsumer(value);
        assertThat(record.getSchema().getFullName()).isEqualTo("dev.tracemonitor.avro.Assessment");
        assertThat(record.get("assessment_id")).hasToString(verdict.assessmentId());
        assertThat(record.get("assessment_name")).hasToString("relevance_to_query");
        assertThat(record.get("trace_id")).hasToString("tr-1");
        assertThat(record.get("span_id")).isNull();
        GenericRecord source = (GenericRecord) record.get("source");
        assertThat(source.get("source_type")).hasToString("LLM_JUDGE");
        assertThat(source.get("source_id")).hasToString("relevance_to_query");
        assertThat(record.get("create_time")).isEqualTo(1_748_772_940_000L);
        assertThat(record.get("last_update_time")).isEqualTo(1_748_772_941_500L);
        GenericRecord feedback = (GenericRecord) record.get("feedback");
        assertThat(feedback.get("value")).hasToString("yes");
        assertThat(feedback.get("error")).isNull();
        assertThat(record.get("rationale")).hasToString("It answers the question.");
        assertThat(record.get("metadata")).isEqualTo(Map.of(new Utf8("judge.version"), new Utf8("1")));
        assertThat(AvroAssessmentCodec.fromRecord(record)).isEqualTo(verdict);
    }

    @Test
    void numericAndErrorFeedbackKeepTheirUnionBranches() throws Exception {
        AvroAssessmentEncoder encoder = new AvroAssessmentEncoder(client);

        GenericRecord precision = readLikeAConfluentConsumer(
                encoder.encode(TOPIC, verdict("chunk_relevance/precision", Feedback.of(0.75))));
        GenericRecord failed = readLikeAConfluentConsumer(
                encoder.encode(TOPIC, verdict("safety", Feedback.error("JUDGE_TIMEOUT", "no answer within 30s"))));

        assertThat(((GenericRecord) precision.get("feedback")).get("value")).isEqualTo(0.75);
        GenericRecord feedback = (GenericRecord) failed.get("feedback");
        assertThat(feedback.get("value")).isNull();
        GenericRecord error = (GenericRecord) feedback.get("error");
        assertThat(error.get("error_code")).hasToString("JUDGE_TIMEOUT");
        assertThat(error.get("error_message")).hasToString("no answer within 30s");
    }

    @Test
    void theSchemaIsRegisteredUnderTheTopicsValueSubjectOnceAndItsIdCached() {
        AvroAssessmentEncoder encoder = new AvroAssessmentEncoder(client);

        byte[] first = encoder.encode(TOPIC, verdict("safety", Feedback.of("yes")));
        encoder.encode(TOPIC, verdict("relevance_to_query", Feedback.of("no")));
        encoder.encode(TOPIC, verdict("groundedness", Feedback.of("yes")));

        int id = ByteBuffer.wrap(first, 1, 4).getInt();
        assertThat(encoder.schemaId(TOPIC)).isEqualTo(id);
        assertThat(registry.requestsTo("/subjects/" + SUBJECT + "/versions")).isEqualTo(1);
        assertThat(registry.requestsTo("/subjects/")).isEqualTo(2);
        assertThat(client.lookup(SUBJECT, AvroAssessmentCodec.SCHEMA).id()).isEqualTo(id);
    }

    @Test
    void aSchemaAlreadyRegisteredIsFoundByLookupWithoutRegisteringAgain() {
        int id = registry.preRegister(SUBJECT, AvroTestSupport.contractSchema("Assessment.avsc"));

        byte[] value = new AvroAssessmentEncoder(client).encode(TOPIC, verdict("safety", Feedback.of("yes")));

        assertThat(ByteBuffer.wrap(value, 1, 4).getInt()).isEqualTo(id);
        assertThat(registry.requests()).extracting(FakeSchemaRegistry.Request::method, FakeSchemaRegistry.Request::path)
                .containsExactly(tuple("POST", "/subjects/" + SUBJECT));
    }

    @Test
    void withoutAutoRegistrationAMissingSchemaIsAClearError() {
        AvroAssessmentEncoder encoder = new AvroAssessmentEncoder(client, false, false);

        assertThatThrownBy(() -> encoder.encode(TOPIC, verdict("safety", Feedback.of("yes"))))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("not registered under subject trace-feedback-value and auto.register.schemas=false")
                .hasMessageContaining("error_code 40401");
        assertThat(registry.requestsTo("/subjects/" + SUBJECT + "/versions")).isZero();
    }

    @Test
    void aRegistrationTheSubjectsCompatibilityRulesRefuseIsAnIncompatibleSchemaError() {
        registry.preRegister(SUBJECT, editedSchema("Assessment.avsc", root -> {
            for (var field : root.withArray("fields")) {
                if (field.get("name").asText().equals("assessment_name")) {
                    ((ObjectNode) field).put("type", "int");
                }
            }
        }));

        assertThatThrownBy(() -> new AvroAssessmentEncoder(client).encode(TOPIC, verdict("safety", Feedback.of("yes"))))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageStartingWith("the registry refused the schema as incompatible: POST ")
                .hasMessageContaining("/subjects/trace-feedback-value/versions answered HTTP 409, error_code 409:")
                .hasMessageContaining("TYPE_MISMATCH 'reader type: STRING not compatible with writer type: INT'"
                        + " at /fields/1/type");
    }

    @Test
    void withUseLatestVersionFeedbackIsWrittenWithTheSubjectsNewerCompatibleSchema() throws Exception {
        Schema newer = editedSchema("Assessment.avsc", root -> root.withArray("fields").addObject()
                .put("name", "judge_model").putNull("default")
                .set("type", Json.MAPPER.createArrayNode().add("null").add("string")));
        registry.preRegister(SUBJECT, AvroTestSupport.contractSchema("Assessment.avsc"));
        int newerId = registry.preRegister(SUBJECT, newer);
        Assessment verdict = verdict("safety", Feedback.of(true));

        byte[] value = new AvroAssessmentEncoder(client, false, true).encode(TOPIC, verdict);

        assertThat(ByteBuffer.wrap(value, 1, 4).getInt()).isEqualTo(newerId);
        GenericRecord record = readLikeAConfluentConsumer(value);
        assertThat(record.getSchema().getField("judge_model")).isNotNull();
        assertThat(record.get("judge_model")).isNull();
        assertThat(((GenericRecord) record.get("feedback")).get("value")).isEqualTo(true);
        assertThat(AvroAssessmentCodec.fromRecord(record)).isEqualTo(verdict);
    }

    @Test
    void withUseLatestVersionALatestSchemaThatCannotHoldOurRecordsIsNamedPrecisely() {
        registry.preRegister(SUBJECT, editedSchema("Assessment.avsc", root -> root.withArray("fields").addObject()
                .put("name", "judge_model").put("type", "string")));

        assertThatThrownBy(() -> new AvroAssessmentEncoder(client, false, true).encode(TOPIC, verdict("safety", Feedback.of("yes"))))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessage("the latest schema of subject trace-feedback-value (version 1, id 1) cannot hold trace-monitor's"
                        + " Assessment records: READER_FIELD_MISSING_DEFAULT_VALUE 'judge_model' at /fields/10");
    }

    @Test
    void aRegistryDownWhileResolvingTheSchemaIsUnavailableAndTheNextEncodeTriesAgain() {
        AvroAssessmentEncoder encoder = new AvroAssessmentEncoder(client);
        registry.failNext(3, Failure.SERVICE_UNAVAILABLE);

        assertThatThrownBy(() -> encoder.encode(TOPIC, verdict("safety", Feedback.of("yes"))))
                .isInstanceOf(SchemaRegistryUnavailableException.class);
        byte[] value = encoder.encode(TOPIC, verdict("safety", Feedback.of("yes")));

        assertThat(value[0]).isZero();
        assertThat(ByteBuffer.wrap(value, 1, 4).getInt()).isEqualTo(encoder.schemaId(TOPIC));
    }

    /** Reads a framed value with nothing of ours: the id from the frame, the schema by a plain HTTP GET, plain Avro. */
    private GenericRecord readLikeAConfluentConsumer(byte[] value) throws Exception {
        assertThat(value[0]).isZero();
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.url() + "/schemas/ids/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Schema writer = new Schema.Parser().parse(Json.MAPPER.readTree(response.body()).get("schema").asText());
        byte[] avro = Arrays.copyOfRange(value, 5, value.length);
        return new GenericDatumReader<GenericRecord>(writer).read(null, DecoderFactory.get().binaryDecoder(avro, null));
    }

    private static Assessment verdict(String name, Feedback feedback) {
        return new Assessment(Assessment.deterministicId("tr-1", name, null), name, "tr-1", null,
                new AssessmentSource(AssessmentSource.LLM_JUDGE, name), 1_748_772_940_000L, 1_748_772_941_500L, feedback,
                "It answers the question.", Map.of("judge.version", "1"));
    }
}
