package dev.tracemonitor.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The PromQL reading that MetricsEndpointTest checks the Grafana dashboard with. */
class DashboardQueriesTest {

    @Test
    void metricNamesAreFoundPastFunctionsMatchersRangesAndGrouping() {
        assertThat(DashboardQueries.metricNames("histogram_quantile(0.99, sum by (le, judge) "
                + "(rate(a_seconds_bucket{judge=~\"x|y\", e=\"$experiment\"}[$__rate_interval])))"))
                .containsExactly("a_seconds_bucket");
        assertThat(DashboardQueries.metricNames("sum without (instance) (rate(b_total[5m] offset 1h)) / on (job) "
                + "group_left (x) c > bool 0 and d_total unless max(e)"))
                .containsExactly("b_total", "c", "d_total", "e");
        assertThat(DashboardQueries.metricNames("sum(f{l=\"sum(g)\"}) * 1e3")).containsExactly("f");
    }

    @Test
    void theDashboardReadsTheServicesMeters() throws IOException {
        assertThat(DashboardQueries.metricNames(Path.of("../deploy/grafana/trace-monitor.json")))
                .contains("trace_monitor_judge_outcomes_total", "trace_monitor_judge_latency_seconds_bucket",
                        "trace_monitor_traces_dlq_total", "trace_monitor_sink_flush_last_duration_seconds",
                        "trace_monitor_judge_backlog")
                .allMatch(name -> !name.contains("{") && !name.contains("("));
    }
}
