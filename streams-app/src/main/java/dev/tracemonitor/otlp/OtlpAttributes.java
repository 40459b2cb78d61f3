package dev.tracemonitor.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OTLP {@code KeyValue} attributes as the MLflow span attribute map, the way MLflow stores spans it ingests over OTLP
 * ({@code Span.from_otel_proto}): a string as it is ({@code input.value} → {@code Now multiply…}), any other value as
 * its JSON ({@code 42}, {@code true}, {@code ["stop"]}, a key-value list as an object, bytes as a base64 string).
 * {@link dev.tracemonitor.model.SpanConvention} reads both forms.
 */
final class OtlpAttributes {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OtlpAttributes() {
    }

    static Map<String, String> of(List<KeyValue> attributes) {
        Map<String, String> map = new LinkedHashMap<>();
        for (KeyValue kv : attributes) {
            AnyValue value = kv.getValue();
            map.put(kv.getKey(), value.hasStringValue() ? value.getStringValue() : json(value).toString());
        }
        return map;
    }

    /** The attribute's value as text, or null when absent or empty. */
    static String text(List<KeyValue> attributes, String key) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                AnyValue value = kv.getValue();
                String text = value.hasStringValue() ? value.getStringValue() : json(value).asText();
                return text.isEmpty() ? null : text;
            }
        }
        return null;
    }

    private static JsonNode json(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> NODES.textNode(value.getStringValue());
            case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
            case INT_VALUE -> NODES.numberNode(value.getIntValue());
            case DOUBLE_VALUE -> NODES.numberNode(value.getDoubleValue());
            case BYTES_VALUE -> NODES.textNode(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
            case ARRAY_VALUE -> {
                ArrayNode array = NODES.arrayNode();
                value.getArrayValue().getValuesList().forEach(v -> array.add(json(v)));
                yield array;
            }
            case KVLIST_VALUE -> {
                ObjectNode object = NODES.objectNode();
                value.getKvlistValue().getValuesList().forEach(kv -> object.set(kv.getKey(), json(kv.getValue())));
                yield object;
            }
            // an index into a profiles string table: trace messages have none to resolve it in
            case STRING_VALUE_STRINDEX, VALUE_NOT_SET -> NODES.nullNode();
        };
    }
}
