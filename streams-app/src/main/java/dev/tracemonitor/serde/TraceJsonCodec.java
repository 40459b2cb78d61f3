package dev.tracemonitor.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.Trace;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * MLflow's trace JSON ({@code Trace.to_json()}) and Assessment JSON, as bytes or as Jackson trees: the entry point
 * for everything that reads or writes them. Tolerant of missing optional fields and of both the protobuf-JSON forms
 * MLflow writes (ISO timestamps, {@code "1.5s"} durations) and plain epoch numbers; strict about what makes a trace a
 * trace (an object with {@code info.trace_id}). {@link TraceJsonReader} and {@link TraceJsonWriter} hold the field
 * mapping.
 */
public final class TraceJsonCodec {

    private TraceJsonCodec() {
    }

    /** Decodes a trace, or throws {@link InvalidTraceException} saying why the bytes cannot be one. */
    public static Trace decode(byte[] bytes) {
        return TraceJsonReader.trace(parse(bytes).root());
    }

    /**
     * {@link #decode}, keeping {@code bytes} as the trace's JSON when they can stand for what {@link #encode} would
     * write: one UTF-8 JSON object (nothing may follow it: that is refused), of a trace that encoding leaves unchanged
     * ({@link TraceJsonWriter#reencodesUnchanged}).
     */
    public static ReceivedTrace decodeReceived(byte[] bytes) {
        Parsed parsed = parse(bytes);
        Trace trace = TraceJsonReader.trace(parsed.root());
        boolean reusable = startsAsUtf8Object(bytes) && TraceJsonWriter.reencodesUnchanged(trace);
        return new ReceivedTrace(trace, reusable ? bytes : null);
    }

    public static Trace fromJson(JsonNode root) {
        return TraceJsonReader.trace(root);
    }

    public static byte[] encode(Trace trace) {
        try {
            return Json.MAPPER.writeValueAsBytes(toJson(trace));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode trace " + trace.traceId(), e);
        }
    }

    public static ObjectNode toJson(Trace trace) {
        return TraceJsonWriter.trace(trace);
    }

    public static Assessment decodeAssessment(byte[] bytes) {
        try {
            return assessmentFromJson(Json.MAPPER.readTree(bytes));
        } catch (IOException e) {
            throw new InvalidTraceException("assessment is not JSON: " + firstLine(e.getMessage()));
        }
    }

    public static Assessment assessmentFromJson(JsonNode node) {
        return TraceJsonReader.assessment(node);
    }

    public static byte[] encodeAssessment(Assessment a) {
        try {
            return Json.MAPPER.writeValueAsBytes(assessmentToJson(a));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode assessment " + a.assessmentId(), e);
        }
    }

    public static ObjectNode assessmentToJson(Assessment a) {
        return TraceJsonWriter.assessment(a);
    }

    private record Parsed(JsonNode root) {
    }

    private static Parsed parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidTraceException("empty record value");
        }
        StrictUtf8.require(bytes);
        try (JsonParser parser = new FiniteNumbers(Json.MAPPER.createParser(bytes))) {
            // a key given twice is ambiguous: readers differ on which value wins
            parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonNode root = Json.MAPPER.readTree(parser);
            if (parser.nextToken() != null) {
                throw new InvalidTraceException("data after the trace's JSON value, at byte "
                        + parser.currentTokenLocation().getByteOffset());
            }
            return new Parsed(root);
        } catch (IOException e) {
            throw new InvalidTraceException("not JSON: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Refuses a number beyond the range of a double where it is read, naming its path and the number as written: the
     * tree would hold Infinity, which is not JSON (Jackson writes it back as the string "Infinity").
     */
    private static final class FiniteNumbers extends JsonParserDelegate {

        FiniteNumbers(JsonParser parser) {
            super(parser);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = super.nextToken();
            if (token == JsonToken.VALUE_NUMBER_FLOAT && !Double.isFinite(getDoubleValue())) {
                throw new InvalidTraceException(path(getParsingContext())
                        + " must be a number within the range of a double, found " + TraceJsonReader.abbreviate(getText()));
            }
            return token;
        }

        /** {@code data.spans[0].start_time_unix_nano}: the path of the current value, as the reader's reasons name it. */
        private static String path(JsonStreamContext context) {
            Deque<String> parts = new ArrayDeque<>();
            for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
                parts.addFirst(c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
            }
            String path = String.join("", parts);
            return path.startsWith(".") ? path.substring(1) : path;
        }
    }

    /** An object in UTF-8 without a byte order mark (the encoding Jackson detects from the first bytes). */
    private static boolean startsAsUtf8Object(byte[] bytes) {
        return bytes.length > 1 && bytes[0] == '{' && bytes[1] != 0;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
