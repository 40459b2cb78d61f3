package dev.tracemonitor.model;

import java.util.Locale;

/**
 * A span's OpenTelemetry status in the form most MLflow versions record it, {@code STATUS_CODE_OK},
 * {@code STATUS_CODE_ERROR} or {@code STATUS_CODE_UNSET}: one form for queries on the table, whatever the writer used.
 */
public record SpanStatus(String code, String message) {

    public static final String PREFIX = "STATUS_CODE_";

    /**
     * MLflow 3.5.0's {@code OK}, the MLflow UI mocks' numeric codes (OTLP's enum: 0 unset, 1 ok, 2 error) and
     * {@code STATUS_CODE_*} itself, as {@code STATUS_CODE_*}; another code is kept as it is, null stays null.
     */
    public static String normalizeCode(String code) {
        if (code == null) {
            return null;
        }
        String upper = code.trim().toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "0", "UNSET", "STATUS_CODE_UNSET" -> PREFIX + "UNSET";
            case "1", "OK", "STATUS_CODE_OK" -> PREFIX + "OK";
            case "2", "ERROR", "STATUS_CODE_ERROR" -> PREFIX + "ERROR";
            default -> code;
        };
    }
}
