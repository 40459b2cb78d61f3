package dev.tracemonitor.service;

/**
 * An existing topic the service cannot run on (a compacted topic with several partitions or a delete cleanup policy);
 * the message names the topic, what is wrong and the command that fixes it.
 */
public final class MisconfiguredTopicException extends IllegalStateException {
    public MisconfiguredTopicException(String message) {
        super(message);
    }
}
