package dev.tracemonitor.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.sink.TableAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The monitoring page at {@code /}: a static page (HTML, script and style shipped in the jar, nothing from elsewhere)
 * and the JSON it fetches. Per monitor: each judge's pass rate per flush window over a chosen range (the last day
 * unless asked), traces requested, sampled and dead-lettered, the latest failing Assessments with their rationale and
 * an excerpt of the request and response, and one trace with its spans and every Assessment. The page puts all text
 * in the document as text nodes; {@link #SECURITY_HEADERS} forbid any script but the page's own.
 */
public final class MonitoringPage {

    /** Headers for every answer: only the page's own script, style and fetches; no framing, no type sniffing. */
    public static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
                    + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");

    static final int FAILING_SHOWN = 20;
    static final int EXCERPT_CHARS = 300;
    private static final Duration DEFAULT_RANGE = Duration.ofDays(1);
    private static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/page.js", new String[] {"page.js", "text/javascript; charset=utf-8"},
            "/page.css", new String[] {"page.css", "text/css; charset=utf-8"});

    private final MonitorTables tables;
    private final Duration window;
    private final LongSupplier deadLettered;
    private final Clock clock;

    /**
     * @param window       the width of a chart point: the sink's flush interval
     * @param deadLettered records this instance dead-lettered (dead letters name no monitor reliably)
     */
    public MonitoringPage(MonitorTables tables, Duration window, LongSupplier deadLettered, Clock clock) {
        this.tables = tables;
        this.window = window;
        this.deadLettered = deadLettered;
        this.clock = clock;
    }

    /** The answer to {@code GET path?query}, or empty when the path is not the page's. */
    public Optional<PageResponse> handle(String path, String rawQuery) {
        String[] asset = ASSETS.get(path);
        if (asset != null) {
            return Optional.of(new PageResponse(200, asset[1], resource(asset[0])));
        }
        Map<String, String> query = parseQuery(rawQuery);
        return switch (path) {
            case "/api/monitors" -> Optional.of(json(monitorsJson()));
            case "/api/summary" -> Optional.of(withMonitor(query, monitor -> json(summary(monitor, range(query)))));
            case "/api/trace" -> Optional.of(withMonitor(query, monitor -> traceJson(monitor, query.get("trace_id"))));
            default -> Optional.empty();
        };
    }

    /** A time range {@code [from, to)} in epoch milliseconds. */
    record Range(long from, long to) {
    }

    private Range range(Map<String, String> query) {
        long to = query.containsKey("to") ? Long.parseLong(query.get("to")) : clock.millis() + 1;
        long from = query.containsKey("from") ? Long.parseLong(query.get("from")) : to - DEFAULT_RANGE.toMillis();
        if (from >= to) {
            throw new IllegalArgumentException("from must be before to");
        }
        return new Range(from, to);
    }

    private ObjectNode monitorsJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("window_ms", window.toMillis());
        ArrayNode monitors = root.putArray("monitors");
        for (TableAddress monitor : tables.monitors()) {
            monitors.addObject().put("experiment_id", monitor.experimentId()).put("catalog_name", monitor.catalogName())
                    .put("schema_name", monitor.schemaName());
        }
        return root;
    }

    ObjectNode summary(TableAddress monitor, Range range) {
        List<AssessmentView> assessments = tables.assessments(monitor, range.from(), range.to());
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("experiment_id", monitor.experimentId()).put("from", range.from()).put("to", range.to())
                .put("window_ms", window.toMillis());
        Set<String> sampled = new LinkedHashSet<>();
        assessments.forEach(a -> sampled.add(a.traceId()));
        root.putObject("counts")
                .put("traces_requested", tables.tracesRequested(monitor, range.from(), range.to()))
                .put("traces_sampled", sampled.size())
                .put("assessments", assessments.size())
                .put("dead_lettered", deadLettered.getAsLong());
        ArrayNode judges = root.putArray("judges");
        passRates(assessments).forEach((judge, points) -> {
            ArrayNode array = judges.addObject().put("judge", judge).putArray("points");
            points.forEach((start, counts) -> array.addObject().put("window_start", start).put("passed", counts[0])
                    .put("total", counts[1]).put("rate", (double) counts[0] / counts[1]));
        });
        List<AssessmentView> failing = assessments.stream().filter(a -> a.isVerdict() && !a.passed())
                .sorted(Comparator.comparingLong(AssessmentView::createTimeMillis).reversed()
                        .thenComparing(AssessmentView::traceId))
                .limit(FAILING_SHOWN).toList();
        Map<String, TraceView> traces = tables.traces(monitor, failing.stream().map(AssessmentView::traceId).toList());
        ArrayNode failingJson = root.putArray("failing");
        for (AssessmentView a : failing) {
            ObjectNode node = assessmentJson(failingJson.addObject(), a);
            TraceView trace = traces.get(a.traceId());
            node.put("request", trace == null ? null : excerpt(trace.request()))
                    .put("response", trace == null ? null : excerpt(trace.response()));
        }
        return root;
    }

    /** Per judge, per window start: {passed, total} of its yes/no Assessments. */
    private Map<String, TreeMap<Long, long[]>> passRates(List<AssessmentView> assessments) {
        Map<String, TreeMap<Long, long[]>> rates = new TreeMap<>();
        long width = window.toMillis();
        for (AssessmentView a : assessments) {
            if (a.isVerdict()) {
                long start = Math.floorDiv(a.createTimeMillis(), width) * width;
                long[] counts = rates.computeIfAbsent(a.judge(), j -> new TreeMap<>())
                        .computeIfAbsent(start, s -> new long[2]);
                counts[0] += a.passed() ? 1 : 0;
                counts[1]++;
            }
        }
        return rates;
    }

    private PageResponse traceJson(TableAddress monitor, String traceId) {
        if (traceId == null || traceId.isEmpty()) {
            return PageResponse.text(400, "trace_id is required");
        }
        TraceView trace = tables.traces(monitor, List.of(traceId)).get(traceId);
        if (trace == null) {
            return PageResponse.text(404, "no trace " + traceId + " in experiment " + monitor.experimentId());
        }
        ObjectNode root = Json.MAPPER.valueToTree(trace);
        ArrayNode assessments = root.putArray("assessments");
        // every Assessment of the trace, whenever it was created (none is created in the future)
        tables.assessments(monitor, 0, clock.millis() + DEFAULT_RANGE.toMillis()).stream().filter(a -> a.traceId().equals(traceId))
                .forEach(a -> assessmentJson(assessments.addObject(), a));
        return json(root);
    }

    private static ObjectNode assessmentJson(ObjectNode node, AssessmentView a) {
        return node.put("trace_id", a.traceId()).put("assessment_id", a.assessmentId()).put("judge", a.judge())
                .put("span_id", a.spanId()).put("create_time", a.createTimeMillis()).put("value", a.value())
                .put("error", a.error()).put("rationale", a.rationale());
    }

    private static String excerpt(String text) {
        return text == null || text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "…";
    }

    private interface MonitorHandler {
        PageResponse handle(TableAddress monitor);
    }

    private PageResponse withMonitor(Map<String, String> query, MonitorHandler handler) {
        String experimentId = query.get("experiment_id");
        if (experimentId == null) {
            return PageResponse.text(400, "experiment_id is required");
        }
        Optional<TableAddress> monitor = tables.monitor(experimentId);
        if (monitor.isEmpty()) {
            return PageResponse.text(404, "no tables for experiment " + experimentId);
        }
        try {
            return handler.handle(monitor.get());
        } catch (IllegalArgumentException e) {
            return PageResponse.text(400, e.getMessage());
        }
    }

    private static PageResponse json(Object node) {
        try {
            return new PageResponse(200, "application/json", Json.MAPPER.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private static byte[] resource(String name) {
        try (InputStream in = MonitoringPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("page asset " + name + " is not in the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
