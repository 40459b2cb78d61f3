package dev.tracemonitor.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The two encodings the OpenTelemetry Collector's Kafka exporter writes an {@code ExportTraceServiceRequest} in:
 * {@code otlp_proto} (protobuf binary, its default) and {@code otlp_json} (OTLP/JSON). OTLP/JSON is protobuf's JSON
 * mapping with one exception, which protobuf's {@link JsonFormat} does not know: trace and span ids are hex, not
 * base64. So ids are rewritten to base64 in the JSON tree before {@link JsonFormat} reads it; everything else (field
 * names in either case, enums as integers, 64-bit integers as strings or numbers, unknown fields ignored as the OTLP
 * specification requires) is {@link JsonFormat}'s.
 */
public enum OtlpEncoding {
    OTLP_PROTO,
    OTLP_JSON;

    private static final List<String> ID_FIELDS = List.of("traceId", "trace_id", "spanId", "span_id", "parentSpanId",
            "parent_span_id");
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();

    /** The encoding of a configuration value, {@code otlp_proto} or {@code otlp_json}. */
    public static OtlpEncoding of(String name) {
        for (OtlpEncoding encoding : values()) {
            if (encoding.configName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return encoding;
            }
        }
        throw new IllegalArgumentException("unknown OTLP encoding '" + name + "': otlp_proto or otlp_json");
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads one message, or throws {@link InvalidTraceException} saying why it is not an export request. */
    public ExportTraceServiceRequest parse(byte[] value) {
        if (value == null || value.length == 0) {
            throw new InvalidTraceException("empty record value");
        }
        return switch (this) {
            case OTLP_PROTO -> parseProto(value);
            case OTLP_JSON -> parseJson(value);
        };
    }

    private static ExportTraceServiceRequest parseProto(byte[] value) {
        try {
            return ExportTraceServiceRequest.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidTraceException("not an OTLP protobuf ExportTraceServiceRequest: " + e.getMessage());
        }
    }

    private static ExportTraceServiceRequest parseJson(byte[] value) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            throw new InvalidTraceException("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidTraceException("an OTLP/JSON ExportTraceServiceRequest must be a JSON object");
        }
        idsToBase64(root, "");
        ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
        try {
            JSON_PARSER.merge(root.toString(), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidTraceException("not an OTLP/JSON ExportTraceServiceRequest: " + e.getMessage());
        }
        return builder.build();
    }

    /** Every id field under {@code resourceSpans[].scopeSpans[].spans[]} (and their links), hex → base64. */
    private static void idsToBase64(JsonNode node, String where) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                idsToBase64(node.get(i), where + "[" + i + "]");
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        ObjectNode object = (ObjectNode) node;
        for (String field : ID_FIELDS) {
            JsonNode id = object.get(field);
            if (id != null && id.isTextual()) {
                object.put(field, base64OfHex(id.textValue(), where + "." + field));
            }
        }
        for (String container : List.of("resourceSpans", "resource_spans", "scopeSpans", "scope_spans", "spans",
                "links")) {
            JsonNode child = object.get(container);
            if (child != null) {
                idsToBase64(child, where.isEmpty() ? container : where + "." + container);
            }
        }
    }

    private static String base64OfHex(String hex, String where) {
        try {
            return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new InvalidTraceException(where + " must be hex, found \"" + (hex.length() > 64
                    ? hex.substring(0, 64) + "…" : hex) + "\"");
        }
    }

    /** Lowercase hex of an id's bytes; null for an empty id (a root's parent). */
    static String hex(ByteString id) {
        return id.isEmpty() ? null : HexFormat.of().formatHex(id.toByteArray());
    }
}
