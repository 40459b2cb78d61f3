package dev.tracemonitor.model;

/** A record that cannot be a trace; its message is the reason written to the dead-letter topic. */
public class InvalidTraceException extends RuntimeException {
    public InvalidTraceException(String message) {
        super(message);
    }
}
