package dev.tracemonitor.testing.fakellm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How {@link FakeOpenAiServer} answers: a function of the parsed request and its 0-based call index (the order of
 * arrival). Combinators cover the usual test scripts: fixed replies, a sequence by call index, a latency on top.
 */
@FunctionalInterface
public interface Behavior {

    Reply reply(RecordedRequest request, int callIndex);

    /** "yes" with a rationale, or "no" when any message contains {@code noMarker}. */
    static Behavior verdicts(String noMarker) {
        return (request, callIndex) -> request.text().contains(noMarker)
                ? Reply.verdict("no", "The prompt contains the marker " + noMarker + ".")
                : Reply.yes();
    }

    static Behavior always(Reply reply) {
        return (request, callIndex) -> reply;
    }

    /** The call index picks the reply; the last one repeats. */
    static Behavior sequence(Reply... replies) {
        List<Reply> script = List.of(replies);
        return (request, callIndex) -> script.get(Math.min(callIndex, script.size() - 1));
    }

    /**
     * This behavior for requests that ask one of {@code models}; any other model gets 404 as OpenAI answers an unknown
     * model ({@code model_not_found}).
     */
    default Behavior onlyForModels(Set<String> models) {
        Set<String> known = Set.copyOf(models);
        return (request, callIndex) -> known.contains(request.model()) ? reply(request, callIndex)
                : Reply.error(404, "The model `" + request.model() + "` does not exist or you do not have access to it.");
    }

    /**
     * This behavior up to {@code callsPerSecond} requests in any one second (by arrival); 429 with
     * {@code Retry-After: 1} for the requests beyond it, as a provider's rate limit answers.
     */
    default Behavior throttledAbove(int callsPerSecond) {
        ArrayDeque<Long> accepted = new ArrayDeque<>();
        return (request, callIndex) -> {
            long now = System.nanoTime();
            synchronized (accepted) {
                while (!accepted.isEmpty() && now - accepted.peekFirst() >= TimeUnit.SECONDS.toNanos(1)) {
                    accepted.pollFirst();
                }
                if (accepted.size() >= callsPerSecond) {
                    return Reply.rateLimited(Duration.ofSeconds(1));
                }
                accepted.addLast(now);
            }
            return reply(request, callIndex);
        };
    }

    /** This behavior's replies, each after {@code latency}. */
    default Behavior withLatency(Duration latency) {
        return (request, callIndex) -> reply(request, callIndex).after(latency);
    }
}
