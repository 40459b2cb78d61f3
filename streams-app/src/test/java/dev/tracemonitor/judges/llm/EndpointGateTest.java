package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.CallMemo;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.RetryableJudgeException;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.Reply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointGateTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void theBreakerOpensAfterRepeatedServerErrorsAndThenCallsNothing() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(Behavior.always(Reply.serverError()))) {
            LlmJudgeBackend backend = new LlmJudgeBackend(LlmSettings.of(server.baseUrl(), "m", null, TIMEOUT),
                    new EndpointLimits(0, Duration.ofMinutes(5)));
            Judge safety = backend.builtin(BuiltinJudge.SAFETY);
            Trace trace = LlmTraces.chat("q", "a");
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> safety.evaluate(trace)).isInstanceOf(RetryableJudgeException.class);
            }
            assertThat(safety.acceptsCalls()).isFalse();
            assertThat(backend.endpointAcceptsCalls()).isFalse();
            assertThatThrownBy(() -> safety.evaluate(trace)).isInstanceOf(RetryableJudgeException.class)
                    .hasMessageContaining("circuit breaker is open");
            assertThat(server.requestCount()).isEqualTo(10);
        }
    }

    @Test
    void throttlingDoesNotOpenTheBreakerAndARetryKeepsTheChunksAlreadyAnswered() throws Exception {
        Behavior thirdCallThrottled = (request, call) -> call == 2 ? Reply.rateLimited(Duration.ofMillis(0))
                : Reply.yes();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(thirdCallThrottled)) {
            LlmJudgeBackend backend = new LlmJudgeBackend(LlmSettings.of(server.baseUrl(), "m", null, TIMEOUT));
            Judge chunks = backend.builtin(BuiltinJudge.CHUNK_RELEVANCE);
            Trace trace = LlmTraces.rag("q", "a", List.of("one", "two", "three", "four"));
            CallMemo memo = CallMemo.fresh();
            assertThatThrownBy(() -> chunks.evaluate(trace, memo)).isInstanceOf(RetryableJudgeException.class)
                    .hasMessageContaining("HTTP 429");
            assertThat(memo.size()).isEqualTo(2);
            JudgeOutcome outcome = chunks.evaluate(trace, memo);
            assertThat(outcome.verdicts()).hasSize(5);
            assertThat(server.requestCount()).as("chunks 0 and 1 are not asked again").isEqualTo(5);
            assertThat(chunks.acceptsCalls()).isTrue();
        }
    }
}
