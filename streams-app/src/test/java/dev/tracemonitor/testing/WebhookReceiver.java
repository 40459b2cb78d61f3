package dev.tracemonitor.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP receiver of alert webhooks: keeps every JSON body it accepted, and answers 503 to the first
 * {@link #failFirst} requests (or to every request while {@link #down} is set).
 */
public final class WebhookReceiver implements AutoCloseable {

    public final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
    public final AtomicInteger requests = new AtomicInteger();
    public volatile int failFirst;
    public volatile boolean down;
    private final HttpServer server;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (requests.incrementAndGet() <= failFirst || down) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                received.add(new ObjectMapper().readTree(body));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
