package dev.tracemonitor.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * Kafka's own client metrics in the service's registry, through Micrometer's binders: {@link KafkaStreamsMetrics} for
 * the topology (its consumers, producers and admin client included) and {@link KafkaClientMetrics} for any other
 * client the service creates, such as the Delta sink's consumer. Those clients are created by code that does not hand
 * them out, so they get {@link Reporter} as a {@code metric.reporters} entry (see {@link #clientSettings}); the
 * reporter sees the client's metrics from its construction on and binds them with {@link KafkaClientMetrics}.
 */
public final class KafkaMetricsBinding implements AutoCloseable {

    /** Client setting naming the binding a {@link Reporter} belongs to; not a Kafka setting (clients ignore it). */
    public static final String BINDING_ID = "dev.tracemonitor.metrics.binding";
    private static final String APP_INFO_GROUP = "app-info";
    private static final Duration REFRESH = Duration.ofSeconds(10);
    private static final Map<String, KafkaMetricsBinding> BINDINGS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final MeterRegistry registry;
    private final ScheduledExecutorService scheduler;
    private final List<AutoCloseable> binders = Collections.synchronizedList(new ArrayList<>());

    public KafkaMetricsBinding(MeterRegistry registry) {
        this.registry = registry;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        BINDINGS.put(id, this);
    }

    /** Binds the metrics of a Kafka Streams instance (refreshed every 10 s as threads and tasks come and go). */
    public void bindStreams(org.apache.kafka.streams.KafkaStreams streams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams, Tags.empty(), scheduler, REFRESH);
        binder.bindTo(registry);
        binders.add(binder);
    }

    /**
     * The settings that make a client created from {@code settings} report to this binding: {@link Reporter} added
     * to its {@code metric.reporters} (after the configured ones, or Kafka's default JMX reporter) and this binding's
     * id.
     */
    public Map<String, Object> clientSettings(Map<String, ?> settings) {
        Object configured = settings.get(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG);
        List<String> reporters = new ArrayList<>();
        if (configured == null) {
            Object defaults = ConsumerConfig.configDef().defaultValues()
                    .get(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG);
            ((List<?>) defaults).forEach(c -> reporters.add(c instanceof Class<?> k ? k.getName() : String.valueOf(c)));
        } else if (configured instanceof List<?> list) {
            list.forEach(c -> reporters.add(c instanceof Class<?> k ? k.getName() : String.valueOf(c).trim()));
        } else {
            for (Object c : (List<?>) ConfigDef.parseType(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG,
                    configured, ConfigDef.Type.LIST)) {
                reporters.add(String.valueOf(c));
            }
        }
        reporters.removeIf(String::isBlank);
        reporters.add(Reporter.class.getName());
        return Map.of(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, String.join(",", reporters), BINDING_ID, id);
    }

    private void bindClient(Map<MetricName, KafkaMetric> metrics, List<AutoCloseable> owner) {
        Consumer<?, ?> view = (Consumer<?, ?>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
                new Class<?>[] {Consumer.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "metrics" -> Collections.unmodifiableMap(metrics);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "metrics view of a Kafka client";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        KafkaClientMetrics binder = new KafkaClientMetrics(view, Tags.empty(), scheduler, REFRESH);
        binder.bindTo(registry);
        binders.add(binder);
        owner.add(binder);
    }

    private void unbind(AutoCloseable binder) {
        if (binders.remove(binder)) {
            closeQuietly(binder);
        }
    }

    @Override
    public void close() {
        BINDINGS.remove(id);
        List<AutoCloseable> all;
        synchronized (binders) {
            all = new ArrayList<>(binders);
            binders.clear();
        }
        all.forEach(KafkaMetricsBinding::closeQuietly);
        scheduler.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a binder only removes meters
        }
    }

    /**
     * A Kafka {@link MetricsReporter} that hands the metrics of the client it is configured in to the
     * {@link KafkaMetricsBinding} named by {@value #BINDING_ID}, for as long as the client is open.
     */
    public static final class Reporter implements MetricsReporter {

        private final Map<MetricName, KafkaMetric> metrics = new ConcurrentHashMap<>();
        private final List<AutoCloseable> bound = new ArrayList<>();
        private KafkaMetricsBinding binding;

        @Override
        public void configure(Map<String, ?> configs) {
            Object id = configs.get(BINDING_ID);
            binding = id == null ? null : BINDINGS.get(String.valueOf(id));
        }

        @Override
        public synchronized void init(List<KafkaMetric> initial) {
            initial.forEach(this::metricChange);
        }

        /** Binds once the client has registered its app-info metrics (the last step of its construction). */
        @Override
        public synchronized void metricChange(KafkaMetric metric) {
            metrics.put(metric.metricName(), metric);
            if (binding != null && bound.isEmpty() && APP_INFO_GROUP.equals(metric.metricName().group())) {
                binding.bindClient(metrics, bound);
            }
        }

        @Override
        public void metricRemoval(KafkaMetric metric) {
            metrics.remove(metric.metricName());
        }

        @Override
        public synchronized void close() {
            if (binding != null) {
                bound.forEach(binding::unbind);
            }
            bound.clear();
            metrics.clear();
        }
    }
}
