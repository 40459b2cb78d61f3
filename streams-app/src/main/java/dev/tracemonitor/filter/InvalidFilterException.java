package dev.tracemonitor.filter;

/** A filter expression that cannot be compiled; the message says where and why. */
public class InvalidFilterException extends RuntimeException {
    public InvalidFilterException(String message) {
        super(message);
    }
}
