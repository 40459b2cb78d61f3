package dev.tracemonitor.alerts;

import dev.tracemonitor.controlplane.InvalidMonitorConfigException;
import dev.tracemonitor.controlplane.MonitorConfigCodec;
import dev.tracemonitor.metrics.TraceMonitorMetrics;
import dev.tracemonitor.model.AlertRule;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.web.AssessmentView;
import dev.tracemonitor.web.MonitorTables;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the monitors' alert rules once per {@code interval} and posts what they raise. It follows the
 * {@code monitor-config} topic itself (an invalid config leaves the previous one in force, as everywhere), reads each
 * monitor's Assessments of the last {@code lookback} from its trace_assessments table, and judges each window that
 * ended at least {@code grace} ago (so that the window's Assessments have been flushed). A raised alert is recorded on
 * the alerts topic before it is posted ({@link AlertLog}), so a receiver's outage loses none, and a window is posted at
 * most once. Only the process for which {@code leader} holds evaluates, so several instances do not post one alert
 * twice.
 */
public final class AlertDispatcher implements AutoCloseable {

    /** Where the dispatcher reads and records, and how often and how far back it looks. */
    public record Settings(String configTopic, String alertsTopic, boolean createTopic, Duration interval,
                           Duration lookback, Duration grace) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(AlertDispatcher.class);

    private final Settings settings;
    private final MonitorTables tables;
    private final WebhookSender sender;
    private final BooleanSupplier leader;
    private final TraceMonitorMetrics metrics;
    private final Clock clock;
    private final CompactedTopicReader configs;
    private final AlertLog log;
    private final Map<String, MonitorConfig> monitors = new HashMap<>();
    /** Windows judged without an alert, by {@link Alert#id()}-shaped key, forgotten after {@code lookback}. */
    private final Map<String, Long> quiet = new HashMap<>();
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trace-monitor-alerts");
        t.setDaemon(true);
        return t;
    });

    public AlertDispatcher(Settings settings, Map<String, Object> kafka, MonitorTables tables, WebhookSender sender,
                           BooleanSupplier leader, TraceMonitorMetrics metrics, Clock clock) {
        this.settings = settings;
        this.tables = tables;
        this.sender = sender;
        this.leader = leader;
        this.metrics = metrics;
        this.clock = clock;
        this.configs = new CompactedTopicReader(settings.configTopic(), kafka);
        this.log = new AlertLog(settings.alertsTopic(), kafka, settings.createTopic());
    }

    public void start() {
        schedule.scheduleWithFixedDelay(this::evaluateSafely, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void evaluateSafely() {
        try {
            evaluate();
        } catch (RuntimeException e) {
            LOG.warn("alert evaluation failed; trying again in {}: {}", settings.interval(), e.toString());
        }
    }

    /** One round: new configs, the alerts recorded by any process, then (when leader) each rule's finished windows. */
    void evaluate() {
        configs.readToEnd(this::applyConfig);
        Map<String, AlertLog.Entry> recorded = log.readToEnd();
        if (!leader.getAsBoolean()) {
            return;
        }
        long now = clock.millis();
        long from = now - settings.lookback().toMillis();
        quiet.values().removeIf(windowStart -> windowStart < from);
        for (AlertLog.Entry pending : recorded.values()) {
            if (!pending.delivered()) {
                post(pending);
            }
        }
        for (MonitorConfig monitor : monitors.values()) {
            if (!monitor.alerts().isEmpty()) {
                evaluate(monitor, from, now - settings.grace().toMillis(), recorded.keySet());
            }
        }
        metrics.alertRound();
    }

    private void evaluate(MonitorConfig monitor, long from, long until, Set<String> recorded) {
        TableAddress table = new TableAddress(monitor.catalogName(), monitor.schemaName(), monitor.experimentId());
        List<AssessmentView> assessments = null;
        for (AlertRule rule : monitor.alerts()) {
            long window = rule.windowDuration().toMillis();
            for (long start = Math.floorDiv(from + window - 1, window) * window; start + window <= until;
                 start += window) {
                String id = Alert.id(monitor.experimentId(), rule.judge(), start);
                if (recorded.contains(id) || quiet.containsKey(id)) {
                    continue;
                }
                if (assessments == null) {
                    assessments = tables.assessments(table, from, until);
                }
                Optional<Alert> alert = AlertEvaluator.evaluate(monitor.experimentId(), rule, start, assessments);
                if (alert.isPresent()) {
                    AlertLog.Entry entry = new AlertLog.Entry(alert.get(), rule.webhookUri(), false);
                    log.record(entry);
                    post(entry);
                } else {
                    quiet.put(id, start);
                }
            }
        }
    }

    private void post(AlertLog.Entry entry) {
        Alert alert = entry.alert();
        try {
            sender.post(entry.webhook(), alert);
        } catch (Exception e) {
            metrics.alertPost(alert.experimentId(), alert.judge(), "failed");
            LOG.warn("alert {} not delivered to {} (kept; posted again in {}): {}", alert.id(), entry.webhook(),
                    settings.interval(), e.toString());
            return;
        }
        log.record(new AlertLog.Entry(alert, entry.webhook(), true));
        metrics.alertPost(alert.experimentId(), alert.judge(), "delivered");
        LOG.info("alert {} delivered: pass rate {} over {} Assessments, below {}", alert.id(), alert.rate(),
                alert.count(), alert.minPassRate());
    }

    private void applyConfig(String experimentId, byte[] value) {
        if (value == null) {
            monitors.remove(experimentId);
            return;
        }
        try {
            monitors.put(experimentId, MonitorConfigCodec.decode(experimentId, value));
        } catch (InvalidMonitorConfigException e) {
            // rejected on monitor-status by the control plane; the previous config stays in force
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        try {
            schedule.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        configs.close();
        log.close();
    }
}
