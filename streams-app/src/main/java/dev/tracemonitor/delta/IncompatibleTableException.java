package dev.tracemonitor.delta;

/** A table exists at a monitor's location with a schema or partitioning other than {@link TraceLogsSchema}'s. */
public class IncompatibleTableException extends RuntimeException {
    public IncompatibleTableException(String message) {
        super(message);
    }
}
