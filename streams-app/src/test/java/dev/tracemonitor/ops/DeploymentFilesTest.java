package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tracemonitor.service.EnvironmentOverrides;
import dev.tracemonitor.service.ServiceConfig;
import dev.tracemonitor.topology.Topics;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files against the code: every environment variable and property docker-compose.yml, the Dockerfile
 * and the Kubernetes manifests set is a setting the service knows (its own keys, by the environment naming rule, or a
 * Kafka client / Streams setting), the configuration each container ends up with passes the service's validation,
 * ports, probes and grace periods agree with it, and create-topics.sh creates the service's topics and exactly the
 * ACLs {@link SaslPassthroughTest} runs the service with.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String CONFIG_FILE_KEY = "trace-monitor.properties";
    private static final List<String> STREAMS_CLIENT_PREFIXES = List.of(StreamsConfig.MAIN_CONSUMER_PREFIX,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX);

    // ---- docker-compose.yml and the Dockerfile ----

    @Test
    void dockerfileSetsOnlyKnownSettingsAndExposesTheHttpPort() throws IOException {
        Map<String, String> env = dockerfileEnv();
        assertThat(env).isNotEmpty();
        env.keySet().forEach(DeploymentFilesTest::assertKnownVariable);
        assertThat(dockerfileExposed()).containsExactly(defaultHttpPort());
        // exec form to the launcher, which replaces itself with java: java is PID 1 and receives SIGTERM
        assertThat(Files.readString(ROOT.resolve("deploy/Dockerfile"))).contains("ENTRYPOINT [\"/app/bin/trace-monitor\"]");
        assertThat(Files.readString(ROOT.resolve("streams-app/bin/trace-monitor"))).containsPattern("(?m)^exec java ");
    }

    @Test
    void composeSetsOnlyKnownSettingsAndItsPortsHealthcheckAndGracePeriodMatchTheService() throws IOException {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode service = compose.at("/services/trace-monitor");
        assertThat(service.isMissingNode()).isFalse();
        Map<String, String> env = composeEnvironment(service.path("environment"));
        env.keySet().forEach(DeploymentFilesTest::assertKnownVariable);

        Properties effective = new Properties();
        EnvironmentOverrides.apply(dockerfileEnv(), effective);
        EnvironmentOverrides.apply(env, effective);
        ServiceConfig config = ServiceConfig.of(effective).validate();
        int port = config.getInt(ServiceConfig.HTTP_PORT_CONFIG);
        assertThat(port).isPositive();

        List<String> ports = new ArrayList<>();
        service.path("ports").forEach(p -> ports.add(p.asText()));
        assertThat(ports).as("published ports").anySatisfy(p -> assertThat(p).endsWith(":" + port));
        assertThat(dockerfileExposed()).contains(port);
        String healthcheck = service.at("/healthcheck/test").toString();
        assertThat(healthcheck).contains("/dev/tcp/127.0.0.1/" + port).contains("/health/ready");
        assertThat(composeDuration(service.path("stop_grace_period").asText()))
                .isGreaterThan(config.duration(ServiceConfig.SHUTDOWN_TIMEOUT_CONFIG));

        String mount = compose.at("/services/create-topics/volumes/0").asText();
        assertThat(ROOT.resolve(mount.substring(0, mount.indexOf(':')))).exists();
    }

    // ---- deploy/k8s ----

    @Test
    void kubernetesManifestsSetOnlyKnownSettingsAndTheirPortsProbesVolumesAndGracePeriodsMatchTheService()
            throws IOException {
        Map<String, JsonNode> docs = kubernetesDocuments();
        JsonNode configMap = only(docs, "ConfigMap");
        JsonNode secret = only(docs, "Secret");

        Properties file = new Properties();
        file.load(new StringReader(configMap.at("/data").path(CONFIG_FILE_KEY).asText()));
        assertThat(file).isNotEmpty();
        file.stringPropertyNames().forEach(DeploymentFilesTest::assertKnownKey);
        Map<String, String> secretEnv = new LinkedHashMap<>();
        secret.path("stringData").fields().forEachRemaining(e -> secretEnv.put(e.getKey(), e.getValue().asText()));
        assertThat(secretEnv).containsKey("KAFKA_SASL_JAAS_CONFIG");
        secretEnv.keySet().forEach(DeploymentFilesTest::assertKnownVariable);

        List<JsonNode> statefulSets = all(docs, "StatefulSet");
        assertThat(statefulSets).hasSize(2);
        Set<Boolean> streamsEnabled = new HashSet<>();
        for (JsonNode set : statefulSets) {
            String name = set.at("/metadata/name").asText();
            JsonNode pod = set.at("/spec/template/spec");
            assertThat(labels(set.at("/spec/template/metadata/labels"))).as(name)
                    .containsAllEntriesOf(labels(set.at("/spec/selector/matchLabels")));
            assertThat(pod.path("enableServiceLinks").asBoolean(true)).as(name + " enableServiceLinks").isFalse();
            JsonNode container = pod.at("/containers/0");

            // the configuration in force: the ConfigMap's file, then the image's, the Secret's and the pod's env
            Map<String, String> mounts = mounts(container);
            List<String> args = new ArrayList<>();
            container.path("args").forEach(a -> args.add(a.asText()));
            assertThat(args).as(name).startsWith("run", "--config");
            String configPath = args.get(2);
            String configVolume = volumeAt(mounts, configPath);
            assertThat(configPath).isEqualTo(mounts.get(configVolume) + "/" + CONFIG_FILE_KEY);
            assertThat(volume(pod, configVolume).at("/configMap/name").asText())
                    .isEqualTo(configMap.at("/metadata/name").asText());
            assertThat(container.at("/envFrom/0/secretRef/name").asText()).isEqualTo(secret.at("/metadata/name").asText());
            Map<String, String> podEnv = new LinkedHashMap<>();
            container.path("env").forEach(e -> podEnv.put(e.path("name").asText(), e.path("value").asText()));
            podEnv.keySet().forEach(DeploymentFilesTest::assertKnownVariable);
            Properties effective = new Properties();
            effective.putAll(file);
            EnvironmentOverrides.apply(dockerfileEnv(), effective);
            EnvironmentOverrides.apply(secretEnv, effective);
            EnvironmentOverrides.apply(podEnv, effective);
            ServiceConfig config = ServiceConfig.of(effective).validate();

            // ports and probes
            int httpPort = config.getInt(ServiceConfig.HTTP_PORT_CONFIG);
            assertThat(containerPort(container, "http")).as(name).isEqualTo(httpPort);
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
            assertThat(resolvePort(container, container.at("/livenessProbe/httpGet/port"))).isEqualTo(httpPort);
            assertThat(resolvePort(container, container.at("/readinessProbe/httpGet/port"))).isEqualTo(httpPort);
            assertThat(set.at("/spec/template/metadata/annotations").path("prometheus.io/port").asText())
                    .isEqualTo(Integer.toString(httpPort));
            assertThat(Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong()))
                    .as(name + " grace period").isGreaterThan(config.duration(ServiceConfig.SHUTDOWN_TIMEOUT_CONFIG));

            // where the state and the tables live
            boolean streams = config.getBoolean(ServiceConfig.STREAMS_ENABLED_CONFIG);
            boolean sink = config.getBoolean(ServiceConfig.SINK_ENABLED_CONFIG);
            assertThat(streams ^ sink).as(name + " runs exactly one part").isTrue();
            streamsEnabled.add(streams);
            if (streams) {
                String stateVolume = volumeAt(mounts, config.getString(ServiceConfig.STATE_DIR_CONFIG));
                assertThat(set.at("/spec/volumeClaimTemplates").findValuesAsText("name")).as(name + " state.dir")
                        .contains(stateVolume);
                assertThat(only(docs, "PodDisruptionBudget").at("/spec/selector/matchLabels").equals(
                        set.at("/spec/selector/matchLabels"))).isTrue();
            }
            if (sink) {
                assertThat(set.at("/spec/replicas").asInt()).as("one sink: one writer per table").isEqualTo(1);
                String warehouseVolume = volumeAt(mounts, config.getString(ServiceConfig.WAREHOUSE_CONFIG));
                String claim = volume(pod, warehouseVolume).at("/persistentVolumeClaim/claimName").asText();
                JsonNode pvc = docs.get("PersistentVolumeClaim/" + claim);
                assertThat(pvc).as("claim " + claim).isNotNull();
                assertThat(pvc.at("/spec/accessModes").toString()).contains("ReadWriteMany");
            }

            // the metrics Service selects the pods and targets their http port
            JsonNode service = only(docs, "Service");
            assertThat(set.at("/spec/serviceName").asText()).isEqualTo(service.at("/metadata/name").asText());
            assertThat(labels(set.at("/spec/template/metadata/labels")))
                    .containsAllEntriesOf(labels(service.at("/spec/selector")));
            assertThat(resolvePort(container, service.at("/spec/ports/0/targetPort"))).isEqualTo(httpPort);
        }
        assertThat(streamsEnabled).containsExactlyInAnyOrder(true, false);
        assertThat(only(docs, "PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        JsonNode kustomization = YAML.readTree(ROOT.resolve("deploy/k8s/kustomization.yaml").toFile());
        Set<String> listed = new HashSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = new HashSet<>();
        try (Stream<Path> list = Files.list(ROOT.resolve("deploy/k8s"))) {
            list.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .filter(f -> !f.equals("kustomization.yaml")).forEach(files::add);
        }
        assertThat(listed).isEqualTo(files);
    }

    // ---- deploy/create-topics.sh ----

    @Test
    void createTopicsScriptCreatesTheServiceTopicsAndExactlyTheTestedAcls(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("kafka-topics.sh", "kafka-acls.sh")) {
            Path stub = bin.resolve(tool);
            Files.writeString(stub, "#!/usr/bin/env bash\n{ echo \"CALL $(basename \"$0\")\"; for a in \"$@\"; do"
                    + " echo \"ARG $a\"; done; } >> \"$RECORD\"\n");
            assertThat(stub.toFile().setExecutable(true)).isTrue();
        }
        Topics topics = Topics.defaults();

        List<List<String>> calls = runScript(dir, bin, Map.of());
        assertThat(calls).allSatisfy(c -> assertThat(c.get(0)).isEqualTo("kafka-topics.sh"));
        Map<String, List<String>> created = new HashMap<>();
        calls.forEach(c -> created.put(argAfter(c, "--topic"), c));
        List<String> serviceTopics = new ArrayList<>(topics.all());
        serviceTopics.addAll(List.of(ServiceConfig.DEFAULT_ALERTS_TOPIC, ServiceConfig.DEFAULT_BUDGET_TOPIC));
        assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(serviceTopics);
        created.forEach((topic, call) -> {
            boolean compacted = topics.compacted().contains(topic) || topic.equals(ServiceConfig.DEFAULT_ALERTS_TOPIC);
            boolean single = compacted || topic.equals(ServiceConfig.DEFAULT_BUDGET_TOPIC);
            assertThat(call.contains("cleanup.policy=compact")).as(topic).isEqualTo(compacted);
            assertThat(argAfter(call, "--partitions")).as(topic).isEqualTo(single ? "1" : "3");
        });

        String principal = "User:trace-monitor";
        calls = runScript(dir, bin, Map.of("SERVICE_PRINCIPAL", principal));
        Set<AclBinding> granted = new HashSet<>();
        for (List<String> call : calls) {
            if (call.get(0).equals("kafka-acls.sh")) {
                granted.addAll(acls(call));
            }
        }
        assertThat(granted).containsExactlyInAnyOrderElementsOf(
                SaslPassthroughTest.serviceAcls(principal, "trace-monitor", "trace-monitor-delta-sink", topics));
    }

    // ---- helpers ----

    private static Set<String> kafkaKeys() {
        Set<String> keys = new HashSet<>();
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        keys.addAll(StreamsConfig.configDef().names());
        return keys;
    }

    private static Set<String> topicKeys() {
        Set<String> keys = new HashSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_CONFIG")) {
                try {
                    keys.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return keys;
    }

    /** A service key, a Hadoop key under trace-monitor.hadoop., a Kafka client or Streams key (prefixed ones too). */
    static void assertKnownKey(String key) {
        boolean known = ServiceConfig.CONFIG.names().contains(key)
                || (key.startsWith(ServiceConfig.HADOOP_PREFIX) && key.length() > ServiceConfig.HADOOP_PREFIX.length())
                || kafkaKeys().contains(key)
                || STREAMS_CLIENT_PREFIXES.stream().anyMatch(p -> key.startsWith(p) && kafkaKeys().contains(key.substring(p.length())))
                || (key.startsWith(StreamsConfig.TOPIC_PREFIX) && topicKeys().contains(key.substring(StreamsConfig.TOPIC_PREFIX.length())));
        assertThat(known).as("%s is a setting the service knows", key).isTrue();
    }

    static void assertKnownVariable(String name) {
        if (name.equals(EnvironmentOverrides.LOG_LEVEL)) {
            return;
        }
        assertThat(name).as("a settings variable").matches("(TRACE_MONITOR|KAFKA)_[A-Z0-9_]+");
        Properties props = new Properties();
        EnvironmentOverrides.apply(Map.of(name, "x"), props);
        assertThat(props).as(name).hasSize(1);
        assertKnownKey(props.stringPropertyNames().iterator().next());
    }

    private static int defaultHttpPort() {
        return (Integer) ServiceConfig.CONFIG.defaultValues().get(ServiceConfig.HTTP_PORT_CONFIG);
    }

    private static String dockerfile() throws IOException {
        return Files.readString(ROOT.resolve("deploy/Dockerfile")).replaceAll("\\\\\\r?\\n", " ");
    }

    private static Map<String, String> dockerfileEnv() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : dockerfile().split("\n")) {
            if (line.startsWith("ENV ")) {
                for (String token : line.substring(4).trim().split("\\s+")) {
                    int eq = token.indexOf('=');
                    assertThat(eq).as("ENV %s in the key=value form", token).isPositive();
                    env.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
        }
        return env;
    }

    private static List<Integer> dockerfileExposed() throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (String line : dockerfile().split("\n")) {
            if (line.startsWith("EXPOSE ")) {
                for (String token : line.substring(7).trim().split("\\s+")) {
                    ports.add(Integer.parseInt(token.replace("/tcp", "")));
                }
            }
        }
        return ports;
    }

    private static Map<String, String> composeEnvironment(JsonNode environment) {
        Map<String, String> env = new LinkedHashMap<>();
        if (environment.isArray()) {
            environment.forEach(e -> {
                String[] kv = e.asText().split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            });
        } else {
            environment.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        return env;
    }

    /** Compose durations: 45s, 1m30s, 500ms. */
    private static Duration composeDuration(String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
        Duration total = Duration.ZERO;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        return total;
    }

    /** Every document of deploy/k8s except the kustomization, by kind/name. */
    private static Map<String, JsonNode> kubernetesDocuments() throws IOException {
        Map<String, JsonNode> docs = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(ROOT.resolve("deploy/k8s"))) {
            for (Path file : list.sorted().toList()) {
                if (!file.toString().endsWith(".yaml") || file.endsWith("kustomization.yaml")) {
                    continue;
                }
                for (JsonNode doc : YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class).readAll()) {
                    String key = doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText();
                    assertThat(docs.put(key, doc)).as("duplicate " + key).isNull();
                }
            }
        }
        return docs;
    }

    private static List<JsonNode> all(Map<String, JsonNode> docs, String kind) {
        return docs.entrySet().stream().filter(e -> e.getKey().startsWith(kind + "/")).map(Map.Entry::getValue).toList();
    }

    private static JsonNode only(Map<String, JsonNode> docs, String kind) {
        List<JsonNode> found = all(docs, kind);
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new HashMap<>();
        node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private static Map<String, String> mounts(JsonNode container) {
        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
        return mounts;
    }

    /** The volume mounted at (or above) a path. */
    private static String volumeAt(Map<String, String> mounts, String path) {
        return mounts.entrySet().stream()
                .filter(e -> path.equals(e.getValue()) || path.startsWith(e.getValue() + "/"))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError(path + " is on no mounted volume: " + mounts));
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static int containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + name);
    }

    private static int resolvePort(JsonNode container, JsonNode port) {
        return port.isInt() ? port.asInt() : containerPort(container, port.asText());
    }

    private static List<List<String>> runScript(Path dir, Path bin, Map<String, String> env) throws Exception {
        Path record = dir.resolve("calls-" + System.nanoTime() + ".txt");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("deploy/create-topics.sh").toString(),
                "localhost:9092").redirectErrorStream(true);
        pb.environment().put("KAFKA_BIN", bin.toString());
        pb.environment().put("RECORD", record.toString());
        pb.environment().putAll(env);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        List<List<String>> calls = new ArrayList<>();
        for (String line : Files.readAllLines(record)) {
            if (line.startsWith("CALL ")) {
                calls.add(new ArrayList<>(List.of(line.substring(5))));
            } else {
                calls.get(calls.size() - 1).add(line.substring(4));
            }
        }
        return calls;
    }

    private static String argAfter(List<String> call, String flag) {
        int i = call.indexOf(flag);
        assertThat(i).as(flag + " in " + call).isPositive();
        return call.get(i + 1);
    }

    /** The bindings one kafka-acls.sh --add call grants. */
    private static List<AclBinding> acls(List<String> call) {
        assertThat(call).contains("--add");
        String principal = argAfter(call, "--allow-principal");
        PatternType pattern = call.contains("--resource-pattern-type")
                ? PatternType.fromString(argAfter(call, "--resource-pattern-type").toUpperCase()) : PatternType.LITERAL;
        List<ResourcePattern> resources = new ArrayList<>();
        List<AclOperation> operations = new ArrayList<>();
        for (int i = 1; i < call.size() - 1; i++) {
            String value = call.get(i + 1);
            switch (call.get(i)) {
                case "--topic" -> resources.add(new ResourcePattern(ResourceType.TOPIC, value, pattern));
                case "--group" -> resources.add(new ResourcePattern(ResourceType.GROUP, value, pattern));
                case "--transactional-id" ->
                        resources.add(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, value, pattern));
                case "--operation" -> operations.add(AclOperation.fromString(
                        value.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase()));
                default -> {
                }
            }
        }
        assertThat(resources).as(call.toString()).hasSize(1);
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(resources.get(0),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
        return bindings;
    }
}
