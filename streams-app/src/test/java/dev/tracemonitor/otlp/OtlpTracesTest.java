package dev.tracemonitor.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OTLP's own example request ({@code real-traces/otel-proto/examples-trace.json}, from opentelemetry-proto) read in
 * both encodings the Collector's Kafka exporter writes, and converted into the service's trace.
 */
class OtlpTracesTest {

    private static final String EXAMPLE = "/real-traces/otel-proto/examples-trace.json";
    private static final OtlpTraces BY_SERVICE = new OtlpTraces(
            new OtlpExperiments(OtlpExperiments.DEFAULT_ATTRIBUTE, Map.of("my.service", "7")));

    @Test
    void otlpJsonExampleBecomesOneTraceWithItsSpanIdsTimesKindAndAttributes() {
        List<Trace> traces = BY_SERVICE.traces(OtlpEncoding.OTLP_JSON.parse(example()));

        assertThat(traces).singleElement().satisfies(trace -> {
            assertThat(trace.traceId()).isEqualTo("tr-5b8efff798038103d269b633813fc60c");
            assertThat(trace.info().experimentId()).isEqualTo("7");
            assertThat(trace.info().requestTimeMillis()).isEqualTo(1544712660000L);
            assertThat(trace.info().executionDurationMillis()).isEqualTo(1000L);
            assertThat(trace.info().state()).isEqualTo("OK");
            assertThat(TraceText.request(trace)).isNull();
            assertThat(TraceText.response(trace)).isNull();
            assertThat(trace.spans()).singleElement().satisfies(span -> {
                assertThat(span.traceId()).isEqualTo("5b8efff798038103d269b633813fc60c");
                assertThat(span.spanId()).isEqualTo("eee19b7ec3c1b174");
                assertThat(span.parentSpanId()).isEqualTo("eee19b7ec3c1b173");
                assertThat(span.name()).isEqualTo("I'm a server span");
                assertThat(span.startTimeUnixNano()).isEqualTo(1544712660000000000L);
                assertThat(span.endTimeUnixNano()).isEqualTo(1544712661000000000L);
                assertThat(span.status().code()).isEqualTo("STATUS_CODE_UNSET");
                assertThat(span.events()).isEmpty();
                assertThat(span.spanType()).isNull();
                assertThat(span.attributes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                        "my.span.attr", "some value",
                        OtlpTraces.SPAN_KIND, "server",
                        OtlpTraces.SCOPE_NAME, "my.library",
                        OtlpTraces.SCOPE_VERSION, "1.0.0"));
            });
        });
    }

    @Test
    void otlpProtoOfTheSameRequestGivesTheSameTrace() {
        ExportTraceServiceRequest request = OtlpEncoding.OTLP_JSON.parse(example());

        assertThat(BY_SERVICE.traces(OtlpEncoding.OTLP_PROTO.parse(request.toByteArray())))
                .isEqualTo(BY_SERVICE.traces(request));
    }

    @Test
    void experimentComesFromAResourceOrSpanAttribute() {
        ObjectNode onResource = exampleTree();
        ((ObjectNode) onResource.at("/resourceSpans/0/resource")).withArray("attributes")
                .addObject().put("key", "mlflow.experimentId").putObject("value").put("stringValue", "11");
        ObjectNode onSpan = exampleTree();
        ((ObjectNode) onSpan.at("/resourceSpans/0/scopeSpans/0/spans/0")).withArray("attributes")
                .addObject().put("key", "mlflow.experimentId").putObject("value").put("intValue", "12");
        OtlpTraces byAttribute = new OtlpTraces(OtlpExperiments.byAttribute());

        assertThat(byAttribute.traces(OtlpEncoding.OTLP_JSON.parse(bytes(onResource))).get(0).info().experimentId())
                .isEqualTo("11");
        assertThat(byAttribute.traces(OtlpEncoding.OTLP_JSON.parse(bytes(onSpan))).get(0).info().experimentId())
                .isEqualTo("12");
    }

    @Test
    void spansNamingNoExperimentAreRefusedNamingTheirTrace() {
        ExportTraceServiceRequest request = OtlpEncoding.OTLP_JSON.parse(example());

        assertThatThrownBy(() -> new OtlpTraces(OtlpExperiments.byAttribute()).traces(request))
                .isInstanceOf(MissingExperimentException.class)
                .hasMessageContaining("5b8efff798038103d269b633813fc60c");
    }

    @Test
    void anIdThatIsNotHexIsRefusedNamingTheField() {
        ObjectNode tree = exampleTree();
        ((ObjectNode) tree.at("/resourceSpans/0/scopeSpans/0/spans/0")).put("spanId", "7u4ZfsPBsXQ=");

        assertThatThrownBy(() -> OtlpEncoding.OTLP_JSON.parse(bytes(tree)))
                .isInstanceOf(InvalidTraceException.class)
                .hasMessage("resourceSpans[0].scopeSpans[0].spans[0].spanId must be hex, found \"7u4ZfsPBsXQ=\"");
    }

    @Test
    void bytesThatAreNoExportRequestAreRefused() {
        assertThatThrownBy(() -> OtlpEncoding.OTLP_PROTO.parse(new byte[] {0x0a, 0x7f, 0x01}))
                .isInstanceOf(InvalidTraceException.class).hasMessageStartingWith("not an OTLP protobuf");
        assertThatThrownBy(() -> OtlpEncoding.OTLP_JSON.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidTraceException.class).hasMessageContaining("must be a JSON object");
    }

    @Test
    void attributeValuesThatAreNotStringsAreKeptAsJson() {
        ObjectNode tree = exampleTree();
        var attributes = ((ObjectNode) tree.at("/resourceSpans/0/scopeSpans/0/spans/0")).withArray("attributes");
        attributes.addObject().put("key", "n").putObject("value").put("intValue", "42");
        attributes.addObject().put("key", "b").putObject("value").put("boolValue", true);
        attributes.addObject().put("key", "reasons").putObject("value").putObject("arrayValue").putArray("values")
                .addObject().put("stringValue", "stop");

        Span span = BY_SERVICE.traces(OtlpEncoding.OTLP_JSON.parse(bytes(tree))).get(0).spans().get(0);

        assertThat(span.attributes()).containsEntry("n", "42").containsEntry("b", "true")
                .containsEntry("reasons", "[\"stop\"]");
    }

    private static ObjectNode exampleTree() {
        try {
            return (ObjectNode) Json.MAPPER.readTree(example());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ObjectNode tree) {
        return tree.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] example() {
        try (InputStream in = OtlpTracesTest.class.getResourceAsStream(EXAMPLE)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
