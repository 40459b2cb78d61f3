package dev.tracemonitor.testing.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tracemonitor.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 for tests and benchmarks of the LLM judge backend: it
 * answers {@code POST /v1/chat/completions} (and {@code /chat/completions}) as its {@link Behavior} says (verdicts,
 * latency, 429 with Retry-After, 5xx, hangs, malformed content, unknown models, a capacity above which it throttles)
 * and records every request, with the model it asked for and its arrival time, for assertions (the most requests in
 * any window). It can also go down: {@link #refuseConnectionsFor} refuses connections for a while. Its handler pool serves {@value #DEFAULT_THREADS} requests at once by default (a
 * hang holds a thread). It logs nothing, and keeps only whether an Authorization header was present and matched, never
 * its value. {@link #close()} stops it and abandons hanging requests.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    static {
        // Real endpoints reply without Nagle's delay; the JDK server would add ~40 ms per reply (read once per JVM).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    public static final int DEFAULT_THREADS = 160;
    /** With the default behavior, a prompt containing this gets "no". */
    public static final String DEFAULT_NO_MARKER = "FAKE_JUDGE_SAYS_NO";

    private volatile HttpServer server;
    private final int port;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fake-openai-scheduler");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean refusing;
    private final ConcurrentLinkedQueue<Long> arrivalNanos = new ConcurrentLinkedQueue<>();
    private final String expectedApiKey;
    private final boolean recording;
    private final ConcurrentLinkedQueue<RecordedRequest> recorded = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Usage> usages = new ConcurrentLinkedQueue<>();

    /** The {@code usage} a completion reported for the request with this index. */
    public record Usage(int index, int promptTokens, int completionTokens) {
    }
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Behavior behavior;

    private FakeOpenAiServer(Builder builder) throws IOException {
        this.behavior = builder.behavior;
        this.expectedApiKey = builder.apiKey;
        this.recording = builder.recording;
        AtomicInteger threadNumber = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(builder.threads, builder.threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "fake-openai-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
        this.server = listen(0);
        this.port = server.getAddress().getPort();
    }

    private HttpServer listen(int onPort) throws IOException {
        HttpServer created = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 1024);
        created.createContext("/", this::handle);
        created.setExecutor(executor);
        created.start();
        return created;
    }

    /**
     * Closes the listening socket for {@code period} (connections are refused, as by an endpoint that is down; calls
     * being answered are cut off), then listens on the same port again.
     */
    public void refuseConnectionsFor(Duration period) {
        refusing = true;
        server.stop(0);
        scheduler.schedule(() -> {
            try {
                server = listen(port);
                refusing = false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while {@link #refuseConnectionsFor} keeps the port closed. */
    public boolean refusingConnections() {
        return refusing;
    }

    /** The most chat-completions requests that arrived within any {@code window} (a sliding window over arrivals). */
    public int maxRequestsInAnyWindow(Duration window) {
        long[] times = arrivalNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int most = 0;
        int first = 0;
        for (int last = 0; last < times.length; last++) {
            while (times[last] - times[first] >= window.toNanos()) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    /** A server that answers every request with {@link Behavior#verdicts(String)} on {@link #DEFAULT_NO_MARKER}. */
    public static FakeOpenAiServer start() {
        return builder().start();
    }

    public static FakeOpenAiServer start(Behavior behavior) {
        return builder().behavior(behavior).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The base URL a client appends {@code /chat/completions} to: {@code http://127.0.0.1:<port>/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public int port() {
        return port;
    }

    /** Answers from now on as {@code behavior} says; call indexes keep counting. */
    public void behavior(Behavior behavior) {
        this.behavior = Objects.requireNonNull(behavior);
    }

    /** The requests received so far, in order of arrival (empty when recording is off). */
    public List<RecordedRequest> requests() {
        List<RecordedRequest> requests = new ArrayList<>(recorded);
        requests.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return requests;
    }

    public RecordedRequest lastRequest() {
        List<RecordedRequest> requests = requests();
        if (requests.isEmpty()) {
            throw new IllegalStateException("no request recorded");
        }
        return requests.get(requests.size() - 1);
    }

    /** The usage of every completion sent so far (recorded or not), in order of sending. */
    public List<Usage> usages() {
        return List.copyOf(usages);
    }

    /** How many chat-completions requests arrived, recorded or not. */
    public int requestCount() {
        return calls.get();
    }

    /** The most requests that were being answered at the same moment. */
    public int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    /** Forgets the recorded requests and resets the counters and call index. */
    public void reset() {
        recorded.clear();
        usages.clear();
        arrivalNanos.clear();
        calls.set(0);
        maxInFlight.set(0);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/v1/chat/completions") && !path.equals("/chat/completions")) {
                send(exchange, 404, errorBody("Unknown path " + path, "invalid_request_error"), Map.of());
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, errorBody("Use POST", "invalid_request_error"), Map.of());
                return;
            }
            arrivalNanos.add(System.nanoTime());
            int running = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(running, Math::max);
            try {
                answer(exchange, path);
            } finally {
                inFlight.decrementAndGet();
            }
        } finally {
            exchange.close();
        }
    }

    private void answer(HttpExchange exchange, String path) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        boolean authorized = expectedApiKey == null || ("Bearer " + expectedApiKey).equals(authorization);
        RecordedRequest request = parse(calls.getAndIncrement(), path, body, authorization != null, authorized);
        if (recording) {
            recorded.add(request);
        }
        if (!authorized) {
            String presented = authorization == null ? "none" : authorization.replaceFirst("^Bearer ", "");
            send(exchange, 401, errorBody("Incorrect API key provided: " + presented + ".", "invalid_api_key"),
                    Map.of());
            return;
        }
        Reply reply = behavior.reply(request, request.index());
        try {
            Thread.sleep(reply.latency().plus(reply.hang()).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (reply.rawBody() != null) {
            send(exchange, reply.status(), reply.rawBody(), reply.headers());
        } else if (reply.status() == 200) {
            send(exchange, 200, completion(request, reply.content()), reply.headers());
        } else {
            send(exchange, reply.status(), errorBody(reply.errorMessage(), reply.status() == 429
                    ? "rate_limit_exceeded" : "server_error"), reply.headers());
        }
    }

    private static RecordedRequest parse(int index, String path, String body, boolean hasAuthorization,
                                         boolean authorized) {
        JsonNode json = Json.parseOrNull(body);
        List<RecordedRequest.Message> messages = new ArrayList<>();
        String model = null;
        if (json != null) {
            model = json.path("model").asText(null);
            for (JsonNode message : json.path("messages")) {
                messages.add(new RecordedRequest.Message(message.path("role").asText(), text(message.get("content"))));
            }
        }
        return new RecordedRequest(index, path, model, messages, body, hasAuthorization, authorized);
    }

    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            text.append(part.path("text").asText(""));
        }
        return text.toString();
    }

    private String completion(RecordedRequest request, String content) {
        ObjectNode response = Json.MAPPER.createObjectNode();
        response.put("id", "chatcmpl-fake-" + request.index());
        response.put("object", "chat.completion");
        response.put("created", Instant.now().getEpochSecond());
        response.put("model", request.model());
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (content == null) {
            message.putNull("content");
        } else {
            message.put("content", content);
        }
        choice.put("finish_reason", "stop");
        int promptTokens = Math.max(1, request.text().length() / 4);
        int completionTokens = content == null ? 0 : Math.max(1, content.length() / 4);
        usages.add(new Usage(request.index(), promptTokens, completionTokens));
        response.putObject("usage")
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return response.toString();
    }

    private static String errorBody(String message, String code) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("message", message).put("type", code).put("code", code);
        return body.toString();
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        try {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException clientGone) {
            // the client gave up (e.g. timed out during a hang): nothing to answer
        }
    }

    /** Options: the behavior, handler threads, an API key to require, and whether to record requests. */
    public static final class Builder {

        private Behavior behavior = Behavior.verdicts(DEFAULT_NO_MARKER);
        private int threads = DEFAULT_THREADS;
        private String apiKey;
        private boolean recording = true;

        public Builder behavior(Behavior value) {
            this.behavior = Objects.requireNonNull(value);
            return this;
        }

        public Builder threads(int value) {
            this.threads = value;
            return this;
        }

        /** Answer 401 (echoing the presented key, as some servers do) unless the request has this bearer key. */
        public Builder apiKey(String value) {
            this.apiKey = value;
            return this;
        }

        /** Whether to keep every request; turn off for long benchmarks. */
        public Builder recording(boolean value) {
            this.recording = value;
            return this;
        }

        public FakeOpenAiServer start() {
            try {
                return new FakeOpenAiServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
