package dev.tracemonitor.controlplane;

/** A published monitor config that is rejected; the message is the precise reason given in the status event. */
public class InvalidMonitorConfigException extends RuntimeException {
    public InvalidMonitorConfigException(String message) {
        super(message);
    }
}
