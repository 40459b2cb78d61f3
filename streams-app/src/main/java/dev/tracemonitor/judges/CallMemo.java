package dev.tracemonitor.judges;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model replies one (trace, judge) task has received, kept across the task's retries: a judge that makes several
 * calls (one per chunk, one per retriever span) and fails on call k asks only calls k… again on the next attempt, so a
 * 429 on chunk k never repeats the calls for chunks 0..k-1. Keyed by a digest of the request; lives as long as its
 * task is in the engine's memory.
 */
public final class CallMemo {

    /**
     * A model's reply text and the tokens the endpoint says the call used (null when it did not say): the tokens stay
     * with the reply, so that a verdict built from a remembered reply still reports what its call cost.
     */
    public record Reply(String text, Long inputTokens, Long outputTokens) {
    }

    private final Map<String, Reply> replies = new ConcurrentHashMap<>();

    /** A memo for one task; also what a caller without retries passes. */
    public static CallMemo fresh() {
        return new CallMemo();
    }

    /** The reply received for this request key, or null. */
    public Reply reply(String requestKey) {
        return replies.get(requestKey);
    }

    public void remember(String requestKey, Reply reply) {
        if (reply != null && reply.text() != null) {
            replies.put(requestKey, reply);
        }
    }

    public int size() {
        return replies.size();
    }
}
