package dev.tracemonitor.ops;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracemonitor.service.ServiceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The service's operations endpoint ({@code /metrics}, {@code /health/live}, {@code /health/ready}) on a loopback port
 * chosen by the test, so that the test knows where to look without reading the service's output.
 */
record OpsEndpoint(int port) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A port that was free a moment ago (the kernel's choice for an ephemeral listener). */
    static OpsEndpoint onFreePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new OpsEndpoint(socket.getLocalPort());
        }
    }

    /** The service settings that make it serve this endpoint. */
    Map<String, String> settings() {
        return Map.of(ServiceConfig.HTTP_ADDRESS_CONFIG, "127.0.0.1", ServiceConfig.HTTP_PORT_CONFIG,
                Integer.toString(port));
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    Scrape scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/metrics answered " + response.statusCode());
        }
        return Scrape.parse(response.body());
    }

    /** The {@code phase} that {@code /health/live} reports: starting, started or stopping. */
    String phase() throws IOException, InterruptedException {
        return JSON.readTree(get("/health/live").body()).path("phase").asText();
    }

    /**
     * Waits until the service reports that it has started (the endpoint comes up first, then the service starts),
     * failing at once when {@code exited} turns true, with {@code details} (where to read why) in the message.
     */
    void awaitStarted(Duration timeout, Callable<Boolean> exited, Supplier<String> details) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(IOException.class)
                .failFast(() -> {
                    if (exited.call()) {
                        throw new AssertionError("the service exited before it started; " + details.get());
                    }
                })
                .until(() -> phase().equals("started"));
    }
}
