package dev.tracemonitor.judges.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.RetryableJudgeException;
import dev.tracemonitor.testing.fakellm.Behavior;
import dev.tracemonitor.testing.fakellm.FakeOpenAiServer;
import dev.tracemonitor.testing.fakellm.Reply;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LlmJudgeFailureTest {

    private static final String KEY = "sk-test-SECRET-9c41b7e2d0";
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Trace TRACE = LlmTraces.chat("Where is my order?", "It ships tomorrow.");

    private static FakeOpenAiServer server;
    private static Judge judge;

    @BeforeAll
    static void start() {
        server = FakeOpenAiServer.start();
        judge = new LlmJudgeBackend(LlmSettings.of(server.baseUrl(), "judge-model", ApiKey.of(KEY), TIMEOUT))
                .builtin(BuiltinJudge.RELEVANCE_TO_QUERY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void reset() {
        server.reset();
    }

    @Test
    void http429WithRetryAfterIsRetryableWithThatDuration() {
        server.behavior(Behavior.always(Reply.rateLimited(Duration.ofSeconds(7))));

        Throwable failure = catchThrowable(() -> judge.evaluate(TRACE));

        assertThat(failure).isInstanceOf(RetryableJudgeException.class)
                .hasMessage("HTTP 429 from the judge endpoint: Rate limit reached for requests (Retry-After 7 s)");
        assertThat(((RetryableJudgeException) failure).retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(failure.getCause()).isNull();
        assertThat(server.requestCount()).as("no retry inside the judge").isEqualTo(1);
    }

    @Test
    void retryAfterMsIsHonoured() {
        server.behavior(Behavior.always(Reply.error(429, "slow down").withHeader("retry-after-ms", "1500")));

        Throwable failure = catchThrowable(() -> judge.evaluate(TRACE));

        assertThat(((RetryableJudgeException) failure).retryAfter()).contains(Duration.ofMillis(1500));
    }

    @Test
    void http429WithoutRetryAfterIsRetryableWithoutHint() {
        server.behavior(Behavior.always(Reply.error(429, "Rate limit reached")));

        Throwable failure = catchThrowable(() -> judge.evaluate(TRACE));

        assertThat(failure).isInstanceOf(RetryableJudgeException.class);
        assertThat(((RetryableJudgeException) failure).retryAfter()).isEmpty();
    }

    @Test
    void serverErrorsAreRetryable() {
        server.behavior(Behavior.always(Reply.serverError()));
        Throwable http500 = catchThrowable(() -> judge.evaluate(TRACE));
        server.behavior(Behavior.always(Reply.error(503, "Overloaded").withHeader("Retry-After", "2")));
        Throwable http503 = catchThrowable(() -> judge.evaluate(TRACE));

        assertThat(http500).isInstanceOf(RetryableJudgeException.class).hasMessage(
                "HTTP 500 from the judge endpoint: The server had an error while processing your request.");
        assertThat(((RetryableJudgeException) http503).retryAfter()).contains(Duration.ofSeconds(2));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aHangIsARetryableTimeoutAfterAboutTheTimeout() {
        server.behavior(Behavior.always(Reply.hang(Duration.ofSeconds(30))));

        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> judge.evaluate(TRACE));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).isInstanceOf(RetryableJudgeException.class)
                .hasMessage("no reply from the judge endpoint within 1 s");
        assertThat(((RetryableJudgeException) failure).retryAfter()).isEmpty();
        assertThat(elapsed).isBetween(TIMEOUT.minusMillis(100), TIMEOUT.plusSeconds(2));
    }

    @Test
    void clientErrorsArePermanentWithTheirStatusAsCode() {
        for (int status : new int[] {400, 403, 404}) {
            server.behavior(Behavior.always(Reply.error(status, "Nope " + status)));

            Throwable failure = catchThrowable(() -> judge.evaluate(TRACE));

            String model = status == 403 ? "" : " for model judge-model";
            assertThat(failure).isInstanceOf(PermanentJudgeException.class)
                    .hasMessage("HTTP " + status + " from the judge endpoint" + model + ": Nope " + status);
            assertThat(((PermanentJudgeException) failure).errorCode()).isEqualTo("HTTP_" + status);
        }
    }

    @Test
    void a401IsPermanentAndTheEchoedKeyIsRedacted() {
        try (FakeOpenAiServer strict = FakeOpenAiServer.builder().apiKey("sk-the-right-one").start()) {
            Judge wrongKey = new LlmJudgeBackend(LlmSettings.of(strict.baseUrl(), "judge-model", ApiKey.of(KEY),
                    TIMEOUT)).builtin(BuiltinJudge.SAFETY);

            Throwable failure = catchThrowable(() -> wrongKey.evaluate(TRACE));

            assertThat(failure).isInstanceOf(PermanentJudgeException.class)
                    .hasMessage("HTTP 401 from the judge endpoint: Incorrect API key provided: ****.");
            assertThat(((PermanentJudgeException) failure).errorCode()).isEqualTo("HTTP_401");
            assertThat(strict.lastRequest().hasAuthorization()).isTrue();
            assertThat(strict.lastRequest().authorized()).isFalse();
        }
    }

    @Test
    void malformedRepliesBecomeErrorVerdicts() throws Exception {
        String longProse = "I believe the response is relevant, " + "and here is why: ".repeat(40);
        for (Reply reply : List.of(Reply.malformed(), Reply.content(longProse), Reply.content(null),
                Reply.content("{\"rationale\": \"ok\", \"result\": \"YES!\"}"))) {
            server.behavior(Behavior.always(reply));

            JudgeOutcome outcome = judge.evaluate(TRACE);

            assertThat(outcome.verdicts()).singleElement().satisfies(verdict -> {
                assertThat(verdict.value()).isNull();
                assertThat(verdict.error().errorCode()).isEqualTo("MALFORMED_JUDGE_REPLY");
                assertThat(verdict.error().errorMessage()).startsWith("the judge model's reply ");
                assertThat(verdict.error().errorMessage().length()).isLessThan(300);
            });
        }
    }

    @Test
    void aBodyThatIsNotAChatCompletionIsPermanent() {
        server.behavior(Behavior.always(Reply.raw(200, "<html>Gateway login</html>")));

        Throwable failure = catchThrowable(() -> judge.evaluate(TRACE));

        assertThat(failure).isInstanceOf(PermanentJudgeException.class);
        assertThat(((PermanentJudgeException) failure).errorCode()).isEqualTo("INVALID_RESPONSE");
    }

    @Test
    void anUnreachableEndpointIsRetryable() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        Judge unreachable = new LlmJudgeBackend(LlmSettings.of("http://127.0.0.1:" + freePort + "/v1", "m",
                ApiKey.of(KEY), TIMEOUT)).builtin(BuiltinJudge.SAFETY);

        Throwable failure = catchThrowable(() -> unreachable.evaluate(TRACE));

        assertThat(failure).isInstanceOf(RetryableJudgeException.class)
                .hasMessageStartingWith("cannot reach the judge endpoint: ConnectException");
    }

    @Test
    void anInterruptedCallThrowsInterruptedException() throws Exception {
        server.behavior(Behavior.always(Reply.hang(Duration.ofSeconds(30))));
        Judge patient = new LlmJudgeBackend(LlmSettings.of(server.baseUrl(), "m", ApiKey.of(KEY),
                Duration.ofSeconds(20))).builtin(BuiltinJudge.SAFETY);
        AtomicReference<Thread> caller = new AtomicReference<>();
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            caller.set(Thread.currentThread());
            return catchThrowable(() -> patient.evaluate(TRACE));
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.requestCount() == 1);

        caller.get().interrupt();

        assertThat(failure.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void theKeyAppearsInNoLogLineAndNoExceptionAcrossFailureModes() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(context);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Map<Logger, Level> levels = new HashMap<>();
        for (Logger logger : context.getLoggerList()) {
            levels.put(logger, logger.getLevel());
            logger.setLevel(Level.ALL);
        }
        root.addAppender(appender);
        List<Throwable> failures = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        LlmSettings settings = LlmSettings.of(server.baseUrl(), "judge-model", ApiKey.of(KEY), TIMEOUT);
        try (FakeOpenAiServer strict = FakeOpenAiServer.builder().apiKey("sk-the-right-one").start()) {
            List<Reply> replies = List.of(Reply.rateLimited(Duration.ofSeconds(1)), Reply.serverError(),
                    Reply.hang(Duration.ofSeconds(10)), Reply.error(400, "bad request with key " + KEY),
                    Reply.error(500, "upstream said Authorization: Bearer " + KEY), Reply.malformed(),
                    Reply.content("not json " + KEY), Reply.raw(200, "<html>" + KEY + "</html>"), Reply.yes());
            for (Reply reply : replies) {
                server.behavior(Behavior.always(reply));
                // a backend per failure mode: one backend's circuit breaker would open after the 5xx and hangs
                LlmJudgeBackend backend = new LlmJudgeBackend(settings);
                for (BuiltinJudge builtin : BuiltinJudge.values()) {
                    evaluate(backend.builtin(builtin), LlmTraces.rag(), failures, verdicts);
                }
                evaluate(backend.guidelines("tone", List.of("Be polite.")), TRACE, failures, verdicts);
            }
            evaluate(new LlmJudgeBackend(LlmSettings.of(strict.baseUrl(), "judge-model", ApiKey.of(KEY), TIMEOUT))
                    .builtin(BuiltinJudge.SAFETY), TRACE, failures, verdicts);
        } finally {
            root.detachAppender(appender);
            levels.forEach(Logger::setLevel);
        }

        assertThat(failures).hasSizeGreaterThan(20);
        assertThat(failures).hasAtLeastOneElementOfType(RetryableJudgeException.class)
                .hasAtLeastOneElementOfType(PermanentJudgeException.class);
        for (Throwable failure : failures) {
            assertThat(failure.toString()).doesNotContain(KEY);
            assertThat(stackTrace(failure)).doesNotContain(KEY);
        }
        assertThat(verdicts).isNotEmpty().allSatisfy(verdict -> assertThat(verdict.toString()).doesNotContain(KEY));
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(line -> line.startsWith("LLM judge backend: default model judge-model at http://127.0.0.1:"));
        for (ILoggingEvent event : appender.list) {
            assertThat(event.getFormattedMessage()).doesNotContain(KEY);
            for (IThrowableProxy proxy = event.getThrowableProxy(); proxy != null; proxy = proxy.getCause()) {
                assertThat(proxy.getMessage()).doesNotContain(KEY);
            }
        }
        assertThat(settings.toString()).doesNotContain(KEY);
    }

    private static void evaluate(Judge judge, Trace trace, List<Throwable> failures, List<Verdict> verdicts) {
        try {
            verdicts.addAll(judge.evaluate(trace).verdicts());
        } catch (Exception e) {
            failures.add(e);
        }
    }

    private static String stackTrace(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
