package dev.tracemonitor.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TraceFilterTest {

    private static final long NOON = Instant.parse("2025-06-01T12:00:00Z").toEpochMilli();
    private static final TraceInfo INFO = new TraceInfo("tr-1", "req-9", TraceLocation.experiment("42"), NOON, 1500L,
            "OK", null, null, Map.of("mlflow.user", "alice"), Map.of("env", "prod", "app", "Support-Bot"), List.of());
    private static final TraceInfo NO_DURATION = new TraceInfo("tr-2", null, TraceLocation.experiment("42"), NOON, null,
            "ERROR", null, null, Map.of(), Map.of(), List.of());

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            state = 'OK'                                          | true
            state != 'OK'                                         | false
            state <> 'ERROR'                                      | true
            status = 'OK'                                         | true
            trace_id = 'tr-1'                                     | true
            client_request_id = 'req-9'                           | true
            tags.env = 'prod'                                     | true
            tags.env = 'staging'                                  | false
            tags.missing = 'x'                                    | false
            tags.missing IS NULL                                  | true
            tags.env IS NOT NULL                                  | true
            trace_metadata.`mlflow.user` = 'alice'                | true
            metadata.'mlflow.user' = 'bob'                        | false
            tags.app LIKE 'Support%'                              | true
            tags.app LIKE 'support%'                              | false
            tags.app ILIKE 'support-b_t'                          | true
            state IN ('OK', 'ERROR')                              | true
            state NOT IN ('OK')                                   | false
            execution_duration_ms > 1000                          | true
            execution_duration_ms >= 1500                         | true
            execution_duration_ms < 1500                          | false
            execution_duration_ms <= 1500.0                       | true
            request_time >= '2025-06-01T00:00:00Z'                | true
            request_time < '2025-06-01T12:00:00Z'                 | false
            timestamp_ms = 1748779200000                          | true
            tags.env = 'prod' AND state = 'OK'                    | true
            tags.env = 'prod' AND state = 'ERROR'                 | false
            tags.env = 'dev' OR state = 'OK'                      | true
            NOT (tags.env = 'dev' OR state = 'ERROR')             | true
            (tags.env = 'prod' OR tags.env = 'dev') AND execution_duration_ms < 100 | false
            """)
    void evaluatesEachOperatorAndFieldKind(String expression, boolean expected) {
        assertThat(TraceFilter.compile(expression).matches(INFO)).isEqualTo(expected);
    }

    /** A trace every filter of the MLflow documentation's quick reference selects, and one none of them does. */
    private static final TraceInfo DOCS_MATCH = new TraceInfo("tr-3", null, TraceLocation.experiment("42"),
            1_749_006_880_540L, 5001L, "OK", null, null,
            Map.of("mlflow.user", "alice@company.com", "mlflow.sourceRun", "run-1"),
            Map.of("environment", "production", "mlflow.traceName", "my_function"), List.of());
    private static final TraceInfo DOCS_MISS = new TraceInfo("tr-4", null, TraceLocation.experiment("42"),
            1_749_006_880_539L, 5000L, "IN_PROGRESS", null, null,
            Map.of("mlflow.user", "bob@company.com", "mlflow.sourceRun", "run-2"),
            Map.of("environment", "staging", "mlflow.traceName", "other_function"), List.of());

    /**
     * The filter strings of {@code mlflow.search_traces} as its documentation writes them ("Search traces
     * programmatically", quick reference: status, time, duration, tags, metadata, combined; and the {@code trace.}
     * spellings of its scorer sampling filters), and MLflow's search names
     * {@code name} (the tag {@code mlflow.traceName}) and {@code run_id} (the metadata {@code mlflow.sourceRun}), as
     * MLflow's {@code SearchTraceUtils} maps them.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            attributes.status = 'OK'
            attributes.timestamp_ms > 1749006880539
            attributes.execution_time_ms > 5000
            tags.environment = 'production'
            tags.`mlflow.traceName` = 'my_function'
            metadata.`mlflow.user` = 'alice@company.com'
            attributes.status = 'OK' AND tags.environment = 'production'
            name = 'my_function'
            attributes.run_id = 'run-1'
            trace.status = 'OK'
            trace.timestamp_ms > 1749006880539
            trace.execution_time_ms > 5000
            trace.end_time_ms > 1749006885539
            trace.name = 'my_function'
            trace.run_id = 'run-1'
            """)
    void filtersFromMlflowsDocumentationSelectWhatMlflowWould(String expression) {
        TraceFilter filter = TraceFilter.compile(expression);

        assertThat(filter.matches(DOCS_MATCH)).isTrue();
        assertThat(filter.matches(DOCS_MISS)).isFalse();
    }

    @Test
    void comparisonsWithAMissingValueAreFalse() {
        assertThat(TraceFilter.compile("execution_duration_ms > 0").matches(NO_DURATION)).isFalse();
        assertThat(TraceFilter.compile("execution_duration_ms IS NULL").matches(NO_DURATION)).isTrue();
    }

    @Test
    void blankFilterMatchesEverything() {
        assertThat(TraceFilter.compile(null).matches(NO_DURATION)).isTrue();
        assertThat(TraceFilter.compile("  ").matches(INFO)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            colour = 'red'                      | unknown field 'colour'
            spans.name = 'x'                    | unknown field 'spans.name'
            state = OK                          | quote the value
            execution_duration_ms = 'slow'      | needs a number
            request_time > 'yesterday'          | epoch milliseconds or an ISO-8601 instant
            execution_duration_ms LIKE '1%'     | needs a text field
            state = 'OK' AND                    | expected a field at the end
            state = 'OK' tags.env = 'prod'      | unexpected 'tags'
            (state = 'OK'                       | expected ')'
            state ~ 'OK'                        | unexpected character '~'
            state = 'OK                         | unterminated quote
            state NOT = 'OK'                    | NOT after a field must be followed by IN
            """)
    void invalidFilterIsRejectedWithTheReason(String expression, String reason) {
        assertThatThrownBy(() -> TraceFilter.compile(expression)).isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining(reason);
    }
}
