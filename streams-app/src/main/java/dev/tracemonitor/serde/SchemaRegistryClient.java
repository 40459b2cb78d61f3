package dev.tracemonitor.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The few Schema Registry REST calls the Avro serdes need, over {@code java.net.http}: schema by id (cached for the
 * life of the client, as ids are immutable), register, look up, and latest version of a subject. Speaks the Confluent
 * API ({@code application/vnd.schemaregistry.v1+json}), which Karapace, Redpanda and Apicurio's ccompat API also serve.
 * Connection failures, 5xx, 408 and 429 are retried a bounded number of times with exponential backoff and jitter,
 * moving on to the next configured URL after a connection failure; then {@link SchemaRegistryUnavailableException}.
 * Thread-safe: share one instance.
 */
public final class SchemaRegistryClient {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";

    private final SchemaRegistrySettings settings;
    private final HttpClient http;
    private final String authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final AtomicInteger currentUrl = new AtomicInteger();

    public SchemaRegistryClient(SchemaRegistrySettings settings) {
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.requestTimeout());
        if (settings.sslContext() != null) {
            builder.sslContext(settings.sslContext());
        }
        this.http = builder.build();
        this.authorization = settings.userInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(settings.userInfo().getBytes(StandardCharsets.UTF_8));
    }

    /** The subject of a topic's record values under Confluent's default TopicNameStrategy. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    public SchemaRegistrySettings settings() {
        return settings;
    }

    /**
     * The writer schema registered with this id ({@code GET /schemas/ids/{id}}).
     *
     * @throws SchemaNotFoundException the registry has no schema with this id (40403)
     * @throws UnsupportedSchemaException the schema is not a self-contained Avro schema
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parseAvro(body, "schema id " + id);
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}) and returns its id;
     * registering a schema the subject already has returns the existing id.
     *
     * @throws IncompatibleSchemaException the subject's compatibility rules reject it (409)
     */
    public int register(String subject, Schema schema) {
        JsonNode body = send("POST", "/subjects/" + encode(subject) + "/versions", schemaRequest(schema));
        return requiredInt(body, "id", "register under subject " + subject);
    }

    /**
     * The registration of exactly this schema under {@code subject} ({@code POST /subjects/{subject}}).
     *
     * @throws SchemaNotFoundException the subject does not exist (40401) or does not have this schema (40403)
     */
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode body = send("POST", "/subjects/" + encode(subject), schemaRequest(schema));
        return registered(subject, body, false);
    }

    /**
     * The latest version registered under {@code subject} ({@code GET /subjects/{subject}/versions/latest}).
     *
     * @throws SchemaNotFoundException the subject does not exist (40401)
     */
    public RegisteredSchema latest(String subject) {
        JsonNode body = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        return registered(subject, body, true);
    }

    private RegisteredSchema registered(String subject, JsonNode body, boolean schemaRequired) {
        String what = "subject " + subject;
        int id = requiredInt(body, "id", what);
        JsonNode version = body.get("version");
        Schema schema = schemaRequired || body.hasNonNull("schema") ? parseAvro(body, what + " schema id " + id) : null;
        if (schema != null) {
            schemasById.putIfAbsent(id, schema);
        }
        return new RegisteredSchema(subject, id, version != null && version.canConvertToInt() ? version.intValue() : -1,
                schema);
    }

    private static byte[] schemaRequest(Schema schema) {
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.put("schema", schema.toString());
        try {
            return Json.MAPPER.writeValueAsBytes(request);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a registry request", e);
        }
    }

    private static Schema parseAvro(JsonNode body, String what) {
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new UnsupportedSchemaException(what + " is a " + type + " schema, not Avro", null);
        }
        JsonNode references = body.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw new UnsupportedSchemaException(what + " uses schema references (" + references
                    + "), which this service does not resolve: register a self-contained schema such as schemas/Trace.avsc",
                    null);
        }
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("the registry's answer for " + what + " has no \"schema\" string: "
                    + abbreviate(body.toString()));
        }
        try {
            return new Schema.Parser().setValidateDefaults(false).parse(text.textValue());
        } catch (SchemaParseException e) {
            throw new UnsupportedSchemaException(what + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode body, String field, String what) {
        JsonNode value = body.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException("the registry's answer to " + what + " has no integer \"" + field + "\": "
                    + abbreviate(body.toString()));
        }
        return value.intValue();
    }

    private JsonNode send(String method, String path, byte[] body) {
        List<URI> urls = settings.urls();
        int attempts = settings.maxRetries() + 1;
        String lastProblem = "";
        Throwable lastCause = null;
        int lastStatus = SchemaRegistryException.NONE;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int urlIndex = Math.floorMod(currentUrl.get(), urls.size());
            URI uri = URI.create(urls.get(urlIndex) + path);
            Duration retryAfter = Duration.ZERO;
            try {
                HttpResponse<byte[]> response = http.send(request(method, uri, body), HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return json(response.body(), method, uri);
                }
                RegistryError error = RegistryError.parse(response.body());
                if (!retryable(status)) {
                    throw failure(status, error, method, uri);
                }
                lastProblem = "HTTP " + status + error.describe();
                lastStatus = status;
                lastCause = null;
                retryAfter = retryAfter(response);
            } catch (IOException e) {
                if (hasCause(e, GeneralSecurityException.class)) {
                    throw new SchemaRegistryException("TLS handshake with the registry at " + uri
                            + " failed (is its certificate in " + SchemaRegistrySettings.SSL_TRUSTSTORE_LOCATION + "?): "
                            + e.getMessage(), SchemaRegistryException.NONE, SchemaRegistryException.NONE, e);
                }
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                lastStatus = SchemaRegistryException.NONE;
                lastCause = e;
                currentUrl.compareAndSet(urlIndex, urlIndex + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("interrupted while calling the registry: " + method + " " + uri,
                        SchemaRegistryException.NONE, e);
            }
            if (attempt < attempts) {
                pause(backoff(attempt, retryAfter));
            }
        }
        throw new SchemaRegistryUnavailableException("schema registry unavailable: " + method + " " + path + " failed "
                + attempts + " time(s) at " + urls + "; last: " + lastProblem, lastStatus, lastCause);
    }

    private HttpRequest request(String method, URI uri, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Accept", ACCEPT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        }
        return builder.build();
    }

    private static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    private SchemaRegistryException failure(int status, RegistryError error, String method, URI uri) {
        String call = method + " " + uri + " answered HTTP " + status + error.describe();
        switch (status) {
            case 404:
                return new SchemaNotFoundException(call, status, error.code());
            case 409:
                return new IncompatibleSchemaException("the registry refused the schema as incompatible: " + call, status,
                        error.code());
            case 401:
            case 403:
                return new SchemaRegistryException("the registry refused the credentials (check "
                        + SchemaRegistrySettings.BASIC_AUTH_USER_INFO + "): " + call, status, error.code(), null);
            case 422:
                return new SchemaRegistryException("the registry rejected the request as invalid: " + call, status,
                        error.code(), null);
            default:
                return new SchemaRegistryException("unexpected answer from the registry: " + call, status, error.code(),
                        null);
        }
    }

    private static JsonNode json(byte[] body, String method, URI uri) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new IOException("not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new SchemaRegistryException(method + " " + uri + " did not answer with the registry's JSON (is "
                    + SchemaRegistrySettings.URL + " the registry's base URL?): "
                    + abbreviate(new String(body, StandardCharsets.UTF_8)));
        }
    }

    private Duration backoff(int attempt, Duration retryAfter) {
        long cap = settings.retryBackoffMax().toMillis();
        long exponential = Math.min(cap, settings.retryBackoff().toMillis() << Math.min(attempt - 1, 20));
        long jittered = exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
        return Duration.ofMillis(Math.min(cap, Math.max(jittered, retryAfter.toMillis())));
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(value -> {
            try {
                return Duration.ofSeconds(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                return Duration.ZERO;
            }
        }).orElse(Duration.ZERO);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted while waiting to retry the registry",
                    SchemaRegistryException.NONE, e);
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    /** The registry's error body, {@code {"error_code": 40403, "message": "..."}}; either part may be missing. */
    private record RegistryError(int code, String message) {

        static RegistryError parse(byte[] body) {
            try {
                JsonNode node = Json.MAPPER.readTree(body);
                if (node != null && node.isObject()) {
                    JsonNode code = node.get("error_code");
                    JsonNode message = node.get("message");
                    return new RegistryError(code != null && code.canConvertToInt() ? code.intValue() : SchemaRegistryException.NONE,
                            message != null && !message.isNull() ? message.asText() : null);
                }
            } catch (IOException notJson) {
                return plainText(body);
            }
            return plainText(body);
        }

        private static RegistryError plainText(byte[] body) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            return new RegistryError(SchemaRegistryException.NONE, text.isEmpty() ? null : abbreviate(text));
        }

        String describe() {
            StringBuilder s = new StringBuilder();
            if (code != SchemaRegistryException.NONE) {
                s.append(", error_code ").append(code);
            }
            if (message != null) {
                s.append(": ").append(message);
            }
            return s.toString();
        }
    }
}
