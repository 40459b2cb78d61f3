package dev.tracemonitor.serde;

import static dev.tracemonitor.serde.AvroTestSupport.contractSchema;
import static dev.tracemonitor.serde.AvroTestSupport.fastRetries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.Json;
import dev.tracemonitor.serde.FakeSchemaRegistry.Request;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryClientTest {

    private static final Schema TRACE_AVSC = contractSchema("Trace.avsc");

    @Test
    void basicAuthUserInfoIsSentOnEveryCall() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            registry.requireBasicAuth("svc-trace-monitor", "s3cr:et");
            SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistrySettings.fromConfig(Map.of(
                    SchemaRegistrySettings.URL, registry.url(),
                    SchemaRegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                    SchemaRegistrySettings.BASIC_AUTH_USER_INFO, "svc-trace-monitor:s3cr:et")));

            int id = client.register("traces-value", TRACE_AVSC);
            client.schemaById(id);
            client.latest("traces-value");

            String expected = "Basic " + Base64.getEncoder()
                    .encodeToString("svc-trace-monitor:s3cr:et".getBytes(StandardCharsets.UTF_8));
            assertThat(registry.requests()).hasSize(3)
                    .allSatisfy(r -> assertThat(r.headers()).containsEntry("authorization", expected));
        }
    }

    @Test
    void userInfoInTheUrlIsUsedForBasicAuthAndNotSentInTheUrl() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            registry.requireBasicAuth("alice", "p@ss");
            String url = registry.url().replace("http://", "http://alice:p%40ss@");
            SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistrySettings.fromConfig(Map.of(
                    SchemaRegistrySettings.URL, url, SchemaRegistrySettings.BASIC_AUTH_CREDENTIALS_SOURCE, "URL")));

            client.register("traces-value", TRACE_AVSC);

            assertThat(client.settings().urls()).extracting(Object::toString).containsExactly(registry.url());
            assertThat(client.settings().toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
        }
    }

    @Test
    void refusedCredentialsAreAConfigurationErrorAndNotRetried() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            registry.requireBasicAuth("alice", "right");
            SchemaRegistryClient client = new SchemaRegistryClient(fastRetries(registry.url(), 3).withUserInfo("alice:wrong"));

            assertThatThrownBy(() -> client.schemaById(1))
                    .isExactlyInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("refused the credentials (check basic.auth.user.info)")
                    .hasMessageContaining("HTTP 401");
            assertThat(registry.requests()).hasSize(1);
        }
    }

    @Test
    void requestsCarryTheRegistryMediaTypesAndJsonBodies() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            SchemaRegistryClient client = new SchemaRegistryClient(fastRetries(registry.url(), 0));

            int id = client.register("traces-value", TRACE_AVSC);
            RegisteredSchema found = client.lookup("traces-value", TRACE_AVSC);

            Request register = registry.requests().get(0);
            assertThat(register.method()).isEqualTo("POST");
            assertThat(register.path()).isEqualTo("/subjects/traces-value/versions");
            assertThat(register.headers().get("content-type")).isEqualTo("application/vnd.schemaregistry.v1+json");
            assertThat(register.headers().get("accept")).startsWith("application/vnd.schemaregistry.v1+json");
            assertThat(register.body()).isEqualTo("{\"schema\":" + Json.MAPPER
                    .getNodeFactory().textNode(TRACE_AVSC.toString()) + "}");
            assertThat(found).isEqualTo(new RegisteredSchema("traces-value", id, 1, TRACE_AVSC));
        }
    }

    @Test
    void subjectsAreUrlEncoded() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            SchemaRegistryClient client = new SchemaRegistryClient(fastRetries(registry.url(), 0));

            int id = client.register("team a/traces-value", TRACE_AVSC);

            assertThat(registry.requests().get(0).path()).isEqualTo("/subjects/team%20a%2Ftraces-value/versions");
            assertThat(client.latest("team a/traces-value").id()).isEqualTo(id);
        }
    }

    @Test
    void aBaseUrlWithAPathWorksAsApicuriosCcompatApiNeeds() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.startUnder("/apis/ccompat/v7")) {
            SchemaRegistryClient client = new SchemaRegistryClient(fastRetries(registry.url() + "/", 0));

            int id = client.register("traces-value", TRACE_AVSC);

            assertThat(client.schemaById(id)).isEqualTo(TRACE_AVSC);
            assertThat(client.latest("traces-value").version()).isEqualTo(1);
            assertThat(registry.requests()).extracting(Request::path)
                    .containsExactly("/subjects/traces-value/versions", "/schemas/ids/" + id,
                            "/subjects/traces-value/versions/latest");
        }
    }

    @Test
    void anAnswerThatIsNotTheRegistryApiSaysTheBaseUrlMayBeWrong() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            SchemaRegistryClient client = new SchemaRegistryClient(fastRetries(registry.url() + "/nowhere", 0));

            assertThatThrownBy(() -> client.latest("traces-value"))
                    .isInstanceOf(SchemaNotFoundException.class)
                    .hasMessageContaining("/nowhere/subjects/traces-value/versions/latest answered HTTP 404");
        }
    }

    @Test
    void tlsWithTheRegistryCertificateInTheConfiguredTruststoreWorksAndWithoutItFailsClearly(@TempDir Path dir)
            throws Exception {
        keytool(dir, "-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", "server.p12", "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        keytool(dir, "-exportcert", "-alias", "registry", "-rfc", "-file", "registry.pem",
                "-keystore", "server.p12", "-storetype", "PKCS12", "-storepass", "changeit");
        keytool(dir, "-importcert", "-noprompt", "-alias", "registry", "-file", "registry.pem",
                "-keystore", "truststore.p12", "-storetype", "PKCS12", "-storepass", "trustpass");

        try (FakeSchemaRegistry registry = FakeSchemaRegistry.startTls(serverContext(dir.resolve("server.p12")))) {
            int id = registry.preRegister("traces-value", TRACE_AVSC);
            SchemaRegistryClient trusting = new SchemaRegistryClient(SchemaRegistrySettings.fromConfig(Map.of(
                    SchemaRegistrySettings.URL, registry.url(),
                    SchemaRegistrySettings.SSL_TRUSTSTORE_LOCATION, dir.resolve("truststore.p12").toString(),
                    SchemaRegistrySettings.SSL_TRUSTSTORE_PASSWORD, "trustpass",
                    SchemaRegistrySettings.SSL_TRUSTSTORE_TYPE, "PKCS12")));
            SchemaRegistryClient defaultTrust = new SchemaRegistryClient(fastRetries(registry.url(), 3));

            assertThat(registry.url()).startsWith("https://");
            assertThat(trusting.schemaById(id)).isEqualTo(TRACE_AVSC);
            assertThatThrownBy(() -> defaultTrust.schemaById(id))
                    .isExactlyInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("TLS handshake with the registry at " + registry.url())
                    .hasMessageContaining("schema.registry.ssl.truststore.location");
        }
    }

    private static SSLContext serverContext(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
