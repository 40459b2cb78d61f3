package dev.tracemonitor.topology;

/**
 * The schema registry stayed unavailable for longer than the outage wait: thrown out of the topology so that the
 * stream thread is replaced and the record is read again from the last commit, rather than dead-lettered.
 */
public final class RegistryOutageException extends RuntimeException {
    RegistryOutageException(String message, Throwable cause) {
        super(message, cause);
    }
}
