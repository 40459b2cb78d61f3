package dev.tracemonitor.otlp;

import dev.tracemonitor.model.InvalidTraceException;

/**
 * OTLP spans of a trace that name no experiment, by attribute or by service: the caller dead-letters (or counts and
 * drops) them, as it does an MLflow trace without {@code trace_location}.
 */
public class MissingExperimentException extends InvalidTraceException {
    public MissingExperimentException(String message) {
        super(message);
    }
}
