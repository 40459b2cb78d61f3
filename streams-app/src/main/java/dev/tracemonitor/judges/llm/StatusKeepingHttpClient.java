package dev.tracemonitor.judges.llm;

import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP transport LangChain4j's OpenAiChatModel uses for the judge endpoint, on {@code java.net.http}. It exists
 * because LangChain4j's own JDK client turns an error response into an HttpException with only the status and body,
 * losing Retry-After; this one throws an {@link HttpStatusException} that keeps it. It also enforces the read timeout
 * as a deadline for the whole exchange, and it logs nothing (request headers carry the API key). Synchronous calls
 * only: the judges never stream.
 */
final class StatusKeepingHttpClient implements HttpClient {

    private final java.net.http.HttpClient delegate;
    private final Duration timeout;
    private final Clock clock;

    private StatusKeepingHttpClient(Builder builder) {
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        if (builder.connectTimeout != null) {
            jdk.connectTimeout(builder.connectTimeout);
        }
        this.delegate = jdk.build();
        this.timeout = builder.readTimeout;
        this.clock = Clock.systemUTC();
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        CompletableFuture<HttpResponse<String>> exchange =
                delegate.sendAsync(toJdkRequest(request), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response;
        try {
            response = timeout == null ? exchange.get() : exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            exchange.cancel(true);
            throw new TimeoutException("no reply within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new LangChain4jException("interrupted while waiting for the judge endpoint", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpTimeoutException) {
                throw new TimeoutException("no reply within " + timeout.toMillis() + " ms");
            }
            throw new LangChain4jException("the call to the judge endpoint failed", e.getCause());
        }
        if (response.statusCode() < 200 || response.statusCode() >= 300) {
            throw new HttpStatusException(response.statusCode(), response.body(),
                    RetryAfter.from(response.headers(), clock));
        }
        return SuccessfulHttpResponse.builder()
                .statusCode(response.statusCode())
                .headers(response.headers().map())
                .body(response.body())
                .build();
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("the judge backend does not stream");
    }

    private java.net.http.HttpRequest toJdkRequest(HttpRequest request) {
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.method(request.method().name(), request.body() == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
        if (timeout != null) {
            builder.timeout(timeout);
        }
        return builder.build();
    }

    /** Given to {@code OpenAiChatModel.builder().httpClientBuilder(…)}, which sets both timeouts from its own. */
    static final class Builder implements HttpClientBuilder {

        private Duration connectTimeout;
        private Duration readTimeout;

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public Builder readTimeout(Duration value) {
            this.readTimeout = value;
            return this;
        }

        @Override
        public StatusKeepingHttpClient build() {
            return new StatusKeepingHttpClient(this);
        }
    }
}
