package dev.tracemonitor.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tracemonitor.web.MonitoringPage;
import dev.tracemonitor.web.PageResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint, on the JDK's HTTP server: {@code GET /metrics} (Prometheus text format, or OpenMetrics when
 * the scraper asks for it), {@code GET /health/live} and {@code GET /health/ready} (200 or 503 with a small JSON body),
 * and, when given one, the {@link MonitoringPage} at {@code /} with the JSON it fetches under {@code /api/}.
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsHttpServer.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    static final String OPEN_METRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private OpsHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param beforeScrape run before each scrape, to register meters that appeared since the last one
     * @param page         the monitoring page, or null for none
     */
    public static OpsHttpServer start(String address, int port, PrometheusMeterRegistry registry,
                                      Runnable beforeScrape, Supplier<ServiceHealth> health, MonitoringPage page)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
        if (page != null) {
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                respond(exchange, path, () -> {
                    Optional<PageResponse> answer = page.handle(path, exchange.getRequestURI().getRawQuery());
                    PageResponse r = answer.orElseGet(() -> new PageResponse(404, TEXT, bytes("not found\n")));
                    MonitoringPage.SECURITY_HEADERS.forEach(exchange.getResponseHeaders()::set);
                    return new Response(r.status(), r.contentType(), r.body());
                });
            });
        }
        server.createContext("/metrics", exchange -> respond(exchange, "/metrics", () -> {
            beforeScrape.run();
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            String contentType = accept != null && accept.contains("application/openmetrics-text")
                    ? OPEN_METRICS_TEXT : PROMETHEUS_TEXT;
            return new Response(200, contentType, bytes(registry.scrape(contentType)));
        }));
        server.createContext("/health/live", exchange -> respond(exchange, "/health/live", () -> {
            ServiceHealth h = health.get();
            return new Response(h.live() ? 200 : 503, "application/json", bytes(h.toJson()));
        }));
        server.createContext("/health/ready", exchange -> respond(exchange, "/health/ready", () -> {
            ServiceHealth h = health.get();
            return new Response(h.ready() ? 200 : 503, "application/json", bytes(h.toJson()));
        }));
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new OpsHttpServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private record Response(int status, String contentType, byte[] body) {
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private interface Handler {
        Response handle() throws Exception;
    }

    private static void respond(HttpExchange exchange, String path, Handler handler) throws IOException {
        try (exchange) {
            Response response;
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(path)) {
                response = new Response(404, TEXT, bytes("not found\n"));
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                response = new Response(405, TEXT, bytes("method not allowed\n"));
            } else {
                try {
                    response = handler.handle();
                } catch (Exception e) {
                    LOG.warn("{} failed", path, e);
                    response = new Response(500, TEXT, bytes("internal error\n"));
                }
            }
            byte[] body = response.body();
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(response.status(), -1);
            } else {
                exchange.sendResponseHeaders(response.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
