package dev.tracemonitor.alerts;

import static dev.tracemonitor.testing.AssessmentTables.commit;
import static dev.tracemonitor.testing.AssessmentTables.verdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tracemonitor.delta.TraceAssessmentsTable;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.web.AssessmentView;
import dev.tracemonitor.web.MonitorTables;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts from a real trace_assessments table to a local HTTP receiver: a pass rate below the threshold posts one
 * alert with the window's figures, a receiver that fails twice still gets it, and too few Assessments post nothing.
 */
class AlertsTest {

    private static final TableAddress MONITOR = new TableAddress("main", "s", "9");
    private static final long WINDOW_START = Instant.parse("2026-02-01T10:00:00Z").toEpochMilli();
    private static final Duration WINDOW = Duration.ofMinutes(15);

    @TempDir
    Path warehouse;

    private HttpServer receiver;
    private final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int failFirst;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        receiver.createContext("/hook", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (requests.incrementAndGet() <= failFirst) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                received.add(new ObjectMapper().readTree(new String(body, StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void aPassRateBelowTheThresholdPostsExactlyOneAlertWithTheWindowsFigures() throws Exception {
        // 22 safety verdicts in the window, 5 of them no (rate 17/22), one no after the window, other judges' too
        List<Assessment> rows = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            rows.add(verdict("t" + i, "safety", i % 4 == 1 && i < 20 ? "no" : "yes", WINDOW_START + i * 1000L));
        }
        rows.add(verdict("t-after", "safety", "no", WINDOW_START + WINDOW.toMillis()));
        rows.add(verdict("t0", "relevance_to_query", "no", WINDOW_START + 5));
        List<AssessmentView> assessments = write(rows);

        Optional<Alert> alert = AlertEvaluator.evaluate("9", rule(20), WINDOW_START, assessments);
        assertThat(alert).isPresent();
        new WebhookSender(3, Duration.ofMillis(10)).post(rule(20).webhook(), alert.get());

        assertThat(received).hasSize(1);
        JsonNode posted = received.get(0);
        assertThat(posted.path("monitor").asText()).isEqualTo("9");
        assertThat(posted.path("judge").asText()).isEqualTo("safety");
        assertThat(posted.path("count").asLong()).isEqualTo(22);
        assertThat(posted.path("rate").asDouble()).isEqualTo(17.0 / 22);
        assertThat(posted.path("window").path("start").asText()).isEqualTo("2026-02-01T10:00:00Z");
        assertThat(posted.path("window").path("end").asText()).isEqualTo("2026-02-01T10:15:00Z");
        List<String> ids = new ArrayList<>();
        posted.path("failing_trace_ids").forEach(id -> ids.add(id.asText()));
        assertThat(ids).containsExactly("t1", "t5", "t9", "t13", "t17");
    }

    @Test
    void aReceiverThatFailsTwiceStillGetsTheAlert() throws Exception {
        failFirst = 2;
        List<Assessment> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(verdict("t" + i, "safety", i < 3 ? "no" : "yes", WINDOW_START + i));
        }
        Alert alert = AlertEvaluator.evaluate("9", rule(20), WINDOW_START, write(rows)).orElseThrow();

        new WebhookSender(3, Duration.ofMillis(10)).post(rule(20).webhook(), alert);

        assertThat(requests).hasValue(3);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).path("rate").asDouble()).isEqualTo(17.0 / 20);
        failFirst = 10;
        assertThatThrownBy(() -> new WebhookSender(3, Duration.ofMillis(10)).post(rule(20).webhook(), alert))
                .as("a receiver down for longer: the post fails and the alert is kept")
                .hasMessageContaining("503");
    }

    @Test
    void noAlertWhenMinCountIsNotReached() throws Exception {
        List<Assessment> rows = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            rows.add(verdict("t" + i, "safety", "no", WINDOW_START + i));
        }
        assertThat(AlertEvaluator.evaluate("9", rule(20), WINDOW_START, write(rows))).isEmpty();
        assertThat(requests).hasValue(0);
    }

    @Test
    void rulesAreValidatedFieldByField() {
        ObjectMapper json = new ObjectMapper();
        assertThat(AlertRule.fromJson(json.valueToTree(java.util.Map.of("judge", "safety", "min_pass_rate", 0.98,
                "window", "PT15M", "min_count", 20, "webhook", "http://127.0.0.1/hook"))).window()).isEqualTo(WINDOW);
        assertThatThrownBy(() -> AlertRule.fromJson(json.valueToTree(java.util.Map.of("judge", "safety",
                "min_pass_rate", 1.5, "window", "PT15M", "min_count", 20, "webhook", "http://h/")))).hasMessageContaining("min_pass_rate");
        assertThatThrownBy(() -> AlertRule.fromJson(json.valueToTree(java.util.Map.of("judge", "safety",
                "min_pass_rate", 0.9, "window", "15m", "min_count", 20, "webhook", "http://h/")))).hasMessageContaining("window");
        assertThatThrownBy(() -> AlertRule.fromJson(json.valueToTree(java.util.Map.of("judge", "safety",
                "min_pass_rate", 0.9, "window", "PT15M", "min_count", 20, "webhook", "ftp://h/")))).hasMessageContaining("webhook");
    }

    private AlertRule rule(int minCount) {
        return new AlertRule("safety", 0.98, WINDOW, minCount,
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
    }

    /** Commits the rows to the monitor's table and reads the window back as the page and the alerts read it. */
    private List<AssessmentView> write(List<Assessment> rows) throws Exception {
        Configuration conf = new Configuration();
        TraceAssessmentsTable table = new TraceAssessmentsTable(DefaultEngine.create(conf),
                SinkTableKind.TRACE_ASSESSMENTS.path(MONITOR, warehouse.toString()));
        commit(table, 1, rows.toArray(Assessment[]::new));
        return new MonitorTables(warehouse.toString(), conf).assessments(MONITOR, WINDOW_START,
                WINDOW_START + 2 * WINDOW.toMillis());
    }
}
