package dev.tracemonitor.alerts;

import static dev.tracemonitor.testing.AssessmentTables.commit;
import static dev.tracemonitor.testing.AssessmentTables.verdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.delta.TraceAssessmentsTable;
import dev.tracemonitor.model.AlertRule;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.sink.SinkTableKind;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.WebhookReceiver;
import dev.tracemonitor.web.AssessmentView;
import dev.tracemonitor.web.MonitorTables;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    private WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
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
        new WebhookSender(3, Duration.ofMillis(10)).post(rule(20).webhookUri(), alert.get());

        assertThat(receiver.received).hasSize(1);
        JsonNode posted = receiver.received.get(0);
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
        receiver.failFirst = 2;
        List<Assessment> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(verdict("t" + i, "safety", i < 3 ? "no" : "yes", WINDOW_START + i));
        }
        Alert alert = AlertEvaluator.evaluate("9", rule(20), WINDOW_START, write(rows)).orElseThrow();

        new WebhookSender(3, Duration.ofMillis(10)).post(rule(20).webhookUri(), alert);

        assertThat(receiver.requests).hasValue(3);
        assertThat(receiver.received).hasSize(1);
        assertThat(receiver.received.get(0).path("rate").asDouble()).isEqualTo(17.0 / 20);
        receiver.failFirst = 10;
        assertThatThrownBy(() -> new WebhookSender(3, Duration.ofMillis(10)).post(rule(20).webhookUri(), alert))
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
        assertThat(receiver.requests).hasValue(0);
    }

    private AlertRule rule(int minCount) {
        return new AlertRule("safety", 0.98, WINDOW.toString(), minCount,
                receiver.url());
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
