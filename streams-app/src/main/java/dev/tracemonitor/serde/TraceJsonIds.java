package dev.tracemonitor.serde;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Span and trace ids in the forms MLflow has written them, read as one form: lowercase hex. MLflow 3.0–3.4 and 3.5.1+
 * write the OpenTelemetry bytes base64-encoded ({@code 3ElmHER9IVU=}), MLflow 2 and 3.5.0 hex, MLflow 2's
 * {@code Span.to_dict()} with a {@code 0x} prefix. Ids in none of these forms (a UI fixture's {@code document-qa-chain})
 * are kept as they are, so that parents still match children.
 */
final class TraceJsonIds {

    /** Padded base64 of 1 to 32 bytes: the padding tells it apart from hex, which never ends in '='. */
    private static final Pattern PADDED_BASE64 = Pattern.compile("[A-Za-z0-9+/]{2,43}={1,2}");
    private static final Pattern PREFIXED_HEX = Pattern.compile("0[xX][0-9a-fA-F]+");

    private TraceJsonIds() {
    }

    static String normalize(String id) {
        if (id == null || id.isEmpty()) {
            return id;
        }
        if (PADDED_BASE64.matcher(id).matches() && id.length() % 4 == 0) {
            try {
                return HexFormat.of().formatHex(Base64.getDecoder().decode(id));
            } catch (IllegalArgumentException notBase64) {
                return id;
            }
        }
        if (PREFIXED_HEX.matcher(id).matches()) {
            return id.substring(2).toLowerCase(Locale.ROOT);
        }
        return id;
    }
}
