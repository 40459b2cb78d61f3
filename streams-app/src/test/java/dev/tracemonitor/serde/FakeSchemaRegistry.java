package dev.tracemonitor.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tracemonitor.model.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * An in-memory Schema Registry on 127.0.0.1 speaking the Confluent REST calls the serdes use, with BACKWARD
 * compatibility checks on register, an optional basic-auth check, switches to answer 503 or drop connections (for a
 * number of requests or for an outage), and schema ids it answers 404 for until revealed.
 */
final class FakeSchemaRegistry implements AutoCloseable {

    /** How the registry misbehaves for the next requests. */
    enum Failure { NONE, SERVICE_UNAVAILABLE, CLOSE_CONNECTION }

    /** One request as received. */
    record Request(String method, String path, Map<String, String> headers, String body) {
    }

    private static final Pattern SCHEMA_BY_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");

    private final HttpServer server;
    private final String basePath;
    private final Map<Integer, String> schemas = new LinkedHashMap<>();
    private final Map<Integer, String> schemaTypes = new LinkedHashMap<>();
    private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final Set<Integer> hidden = ConcurrentHashMap.newKeySet();
    private volatile Failure failure = Failure.NONE;
    private volatile String requiredAuthorization;
    private int nextId = 1;

    private FakeSchemaRegistry(HttpServer server, String basePath) {
        this.server = server;
        this.basePath = basePath;
        server.createContext(basePath.isEmpty() ? "/" : basePath, this::handle);
        server.start();
    }

    static FakeSchemaRegistry start() throws IOException {
        return new FakeSchemaRegistry(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), "");
    }

    /** A registry under a path prefix, as Apicurio serves its Confluent-compatible API ({@code /apis/ccompat/v7}). */
    static FakeSchemaRegistry startUnder(String basePath) throws IOException {
        return new FakeSchemaRegistry(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), basePath);
    }

    static FakeSchemaRegistry startTls(SSLContext serverContext) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        return new FakeSchemaRegistry(https, "");
    }

    String url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + basePath;
    }

    void requireBasicAuth(String user, String password) {
        requiredAuthorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The next {@code count} requests fail this way; then the registry answers normally again. */
    void failNext(int count, Failure how) {
        failure = how;
        failuresLeft.set(count);
    }

    /** Every request fails this way until {@link #endOutage()}: an outage of the registry. */
    void startOutage(Failure how) {
        failNext(Integer.MAX_VALUE, how);
    }

    void endOutage() {
        failNext(0, Failure.NONE);
    }

    /** The registry answers 404 (40403) for this schema id until {@link #reveal}, as if it were not registered yet. */
    void hide(int id) {
        hidden.add(id);
    }

    void reveal(int id) {
        hidden.remove(id);
    }

    /** Registers directly, as another producer would have; returns the id. */
    synchronized int preRegister(String subject, Schema schema) {
        return registerOrFind(subject, schema.toString());
    }

    /** Stores a schema of another type (e.g. PROTOBUF) under a given id, answered with its schemaType. */
    synchronized void putOtherType(int id, String schemaType, String schema) {
        schemas.put(id, schema);
        schemaTypes.put(id, schemaType);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    long requestsTo(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).count();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            String path = exchange.getRequestURI().getRawPath().substring(basePath.length());
            requests.add(new Request(exchange.getRequestMethod(), path, headers, body));
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                if (failure == Failure.CLOSE_CONNECTION) {
                    return;
                }
                if (failure == Failure.SERVICE_UNAVAILABLE) {
                    send(exchange, 503, error(50003, "Error while forwarding the request to the leader"));
                    return;
                }
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(headers.get("authorization"))) {
                send(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            route(exchange, exchange.getRequestMethod(), path, body);
        }
    }

    private void route(HttpExchange exchange, String method, String path, String body) throws IOException {
        Matcher m;
        if (method.equals("GET") && (m = SCHEMA_BY_ID.matcher(path)).matches()) {
            int id = Integer.parseInt(m.group(1));
            ObjectNode answer = hidden.contains(id) ? null : schemaById(id);
            if (answer == null) {
                send(exchange, 404, error(40403, "Schema " + m.group(1) + " not found"));
            } else {
                send(exchange, 200, answer);
            }
        } else if (method.equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
            register(exchange, decode(m.group(1)), schemaOf(body));
        } else if (method.equals("GET") && (m = LATEST.matcher(path)).matches()) {
            latest(exchange, decode(m.group(1)));
        } else if (method.equals("POST") && (m = SUBJECT.matcher(path)).matches()) {
            lookup(exchange, decode(m.group(1)), schemaOf(body));
        } else {
            send(exchange, 404, error(404, "HTTP 404 Not Found"));
        }
    }

    private synchronized ObjectNode schemaById(int id) {
        String schema = schemas.get(id);
        if (schema == null) {
            return null;
        }
        ObjectNode answer = Json.MAPPER.createObjectNode().put("schema", schema);
        if (schemaTypes.containsKey(id)) {
            answer.put("schemaType", schemaTypes.get(id));
        }
        return answer;
    }

    private void register(HttpExchange exchange, String subject, String schema) throws IOException {
        int id;
        synchronized (this) {
            List<Integer> versions = subjects.get(subject);
            if (versions != null && !versions.isEmpty() && find(subject, schema) < 0) {
                Schema latest = new Schema.Parser().parse(schemas.get(versions.get(versions.size() - 1)));
                Schema candidate = new Schema.Parser().parse(schema);
                var result = SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest);
                if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    send(exchange, 409, error(409, "Schema being registered is incompatible with an earlier schema for subject \""
                            + subject + "\", details: [" + IncompatibleSchemaException.describe(result) + "]"));
                    return;
                }
            }
            id = registerOrFind(subject, schema);
        }
        send(exchange, 200, Json.MAPPER.createObjectNode().put("id", id));
    }

    private void lookup(HttpExchange exchange, String subject, String schema) throws IOException {
        ObjectNode answer;
        synchronized (this) {
            if (!subjects.containsKey(subject)) {
                send(exchange, 404, error(40401, "Subject '" + subject + "' not found."));
                return;
            }
            int version = find(subject, schema);
            if (version < 0) {
                send(exchange, 404, error(40403, "Schema not found"));
                return;
            }
            answer = version(subject, version);
        }
        send(exchange, 200, answer);
    }

    private void latest(HttpExchange exchange, String subject) throws IOException {
        ObjectNode answer;
        synchronized (this) {
            List<Integer> versions = subjects.get(subject);
            if (versions == null || versions.isEmpty()) {
                send(exchange, 404, error(40401, "Subject '" + subject + "' not found."));
                return;
            }
            answer = version(subject, versions.size());
        }
        send(exchange, 200, answer);
    }

    private ObjectNode version(String subject, int version) {
        int id = subjects.get(subject).get(version - 1);
        return Json.MAPPER.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", schemas.get(id));
    }

    private int registerOrFind(String subject, String schema) {
        Schema parsed = new Schema.Parser().parse(schema);
        Integer id = null;
        for (Map.Entry<Integer, String> e : schemas.entrySet()) {
            if (e.getValue().equals(parsed.toString())) {
                id = e.getKey();
            }
        }
        if (id == null) {
            id = nextId++;
            schemas.put(id, parsed.toString());
        }
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    /** The 1-based version of {@code schema} under {@code subject}, or -1. */
    private int find(String subject, String schema) {
        String canonical = new Schema.Parser().parse(schema).toString();
        List<Integer> versions = subjects.getOrDefault(subject, List.of());
        for (int i = 0; i < versions.size(); i++) {
            if (schemas.get(versions.get(i)).equals(canonical)) {
                return i + 1;
            }
        }
        return -1;
    }

    private static String schemaOf(String body) throws IOException {
        JsonNode request = Json.MAPPER.readTree(body);
        return request.get("schema").asText();
    }

    private static String decode(String subject) {
        return URLDecoder.decode(subject, StandardCharsets.UTF_8);
    }

    private static ObjectNode error(int code, String message) {
        return Json.MAPPER.createObjectNode().put("error_code", code).put("message", message);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
