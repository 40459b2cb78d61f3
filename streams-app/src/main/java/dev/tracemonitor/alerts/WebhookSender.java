package dev.tracemonitor.alerts;

import dev.tracemonitor.model.Json;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Posts an {@link Alert} as JSON to a webhook, retried with exponential backoff (Resilience4j) on a connection error
 * or a status other than 2xx; a post that still fails is thrown, so the caller keeps the alert to post again.
 */
public final class WebhookSender {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final int ATTEMPTS = 3;
    private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    private final Retry retry;

    /** Three posts per round, one second after the first failure and two after the second. */
    public WebhookSender() {
        this(ATTEMPTS, INITIAL_BACKOFF);
    }

    /**
     * @param attempts       posts per alert before giving up
     * @param initialBackoff wait after the first failure, doubled after each further one
     */
    public WebhookSender(int attempts, Duration initialBackoff) {
        this.retry = Retry.of("alert-webhook", RetryConfig.custom()
                .maxAttempts(attempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(initialBackoff, 2.0))
                .retryExceptions(IOException.class)
                .build());
    }

    public void post(URI webhook, Alert alert) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(webhook).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(alert.toJson())))
                .build();
        retry.executeCallable(() -> {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("webhook " + webhook + " answered " + response.statusCode());
            }
            return null;
        });
    }
}
