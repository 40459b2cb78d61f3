package dev.tracemonitor.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import dev.tracemonitor.model.InvalidTraceException;
import dev.tracemonitor.model.Json;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.Function;

/**
 * Refuses JSON bytes that are not well-formed UTF-8 (Unicode's table 3-7), which Jackson reads without a word:
 * overlong encodings, UTF-16 surrogates encoded as UTF-8 (CESU-8), code points above U+10FFFF. Jackson decodes them
 * into other text (an overlong {@code C0 AF} is a {@code /}) or fails with a message that names no field; here the
 * reason names the problem, its byte offset and the JSON path of the key or string it is in. Traces and monitor
 * configs are checked alike.
 */
public final class StrictUtf8 {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /** What is wrong at an offset. */
    enum Problem {
        OVERLONG("an overlong encoding"),
        SURROGATE("a UTF-16 surrogate encoded in UTF-8 (CESU-8)"),
        ABOVE_MAX("a code point above U+10FFFF"),
        TRUNCATED("a truncated multi-byte sequence"),
        STRAY_CONTINUATION("a continuation byte without a lead byte");

        private final String text;

        Problem(String text) {
            this.text = text;
        }
    }

    private StrictUtf8() {
    }

    /**
     * Throws {@link InvalidTraceException} naming the first ill-formed sequence, if there is one. Bytes that Jackson
     * reads as UTF-16 or UTF-32 (a byte order mark or a zero byte in the first two) are its decoders' to check.
     */
    static void require(byte[] bytes) {
        require(bytes, InvalidTraceException::new);
    }

    /** {@link #require(byte[])}, throwing what {@code refusal} makes of the reason. */
    public static void require(byte[] bytes, Function<String, ? extends RuntimeException> refusal) {
        if (bytes.length >= 2 && (bytes[0] == 0 || bytes[1] == 0 || (bytes[0] & 0xFE) == 0xFE && (bytes[1] & 0xFE) == 0xFE
                && bytes[0] != bytes[1])) {
            return;
        }
        int n = bytes.length;
        int i = 0;
        while (i < n) {
            if (i + 8 <= n && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int length;
            int low = 0x80;
            int high = 0xBF;
            if (lead < 0xC0) {
                throw invalid(refusal, bytes, i, Problem.STRAY_CONTINUATION);
            } else if (lead < 0xC2) {
                throw invalid(refusal, bytes, i, Problem.OVERLONG);
            } else if (lead < 0xE0) {
                length = 2;
            } else if (lead < 0xF0) {
                length = 3;
                low = lead == 0xE0 ? 0xA0 : low;
                high = lead == 0xED ? 0x9F : high;
            } else if (lead < 0xF5) {
                length = 4;
                low = lead == 0xF0 ? 0x90 : low;
                high = lead == 0xF4 ? 0x8F : high;
            } else {
                throw invalid(refusal, bytes, i, Problem.ABOVE_MAX);
            }
            for (int k = 1; k < length; k++) {
                int next = i + k < n ? bytes[i + k] & 0xFF : -1;
                if (next < 0x80 || next > 0xBF) {
                    throw invalid(refusal, bytes, i, Problem.TRUNCATED);
                }
                if (k == 1 && next < low) {
                    throw invalid(refusal, bytes, i, Problem.OVERLONG);
                }
                if (k == 1 && next > high) {
                    throw invalid(refusal, bytes, i, lead == 0xED ? Problem.SURROGATE : Problem.ABOVE_MAX);
                }
            }
            i += length;
        }
    }

    private static RuntimeException invalid(Function<String, ? extends RuntimeException> refusal, byte[] bytes,
                                            int offset, Problem problem) {
        return refusal.apply("invalid UTF-8 at byte " + offset + ": " + problem.text + locate(bytes, offset));
    }

    /**
     * Where the offset is in the JSON: {@code ", in a key of /info/tags"}, {@code ", in the value at /info/tags/x"}, or
     * nothing when it is in no key or string. Read from a copy with every non-ASCII byte made an {@code x}: the same
     * offsets and structure (such bytes belong in strings only), and nothing for the parser to trip on.
     */
    private static String locate(byte[] bytes, int offset) {
        byte[] ascii = bytes.clone();
        for (int i = 0; i < ascii.length; i++) {
            if (ascii[i] < 0) {
                ascii[i] = 'x';
            }
        }
        try (JsonParser parser = Json.MAPPER.createParser(ascii)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null && parser.currentTokenLocation().getByteOffset() <= offset) {
                if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    parser.getText();
                    if (offset < parser.currentLocation().getByteOffset()) {
                        JsonStreamContext context = parser.getParsingContext();
                        return token == JsonToken.FIELD_NAME ? ", in a key of " + pointer(context.getParent())
                                : ", in the value at " + pointer(context);
                    }
                }
            }
        } catch (IOException e) {
            // not JSON there either: the offset is in no key or string
        }
        return "";
    }

    private static String pointer(JsonStreamContext context) {
        String pointer = context == null ? "" : context.pathAsPointer().toString();
        return pointer.isEmpty() ? "the top-level object" : pointer;
    }
}
