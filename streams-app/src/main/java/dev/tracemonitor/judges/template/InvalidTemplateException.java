package dev.tracemonitor.judges.template;

/** A template judge that cannot run, with the precise reason a monitor-status event reports. */
public final class InvalidTemplateException extends RuntimeException {

    public InvalidTemplateException(String reason) {
        super(reason);
    }
}
