package dev.tracemonitor.model;

/**
 * A trace decoded from a record value, with that value when it can stand for the trace's MLflow JSON as the service
 * would encode it (decoding either gives the same trace); {@code json} is null when the trace has to be encoded.
 */
public record ReceivedTrace(Trace trace, byte[] json) {
}
