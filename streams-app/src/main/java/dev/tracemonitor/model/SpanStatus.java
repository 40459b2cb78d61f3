package dev.tracemonitor.model;

/** A span's OpenTelemetry status, as MLflow records it (e.g. {@code STATUS_CODE_OK}). */
public record SpanStatus(String code, String message) {
}
