package dev.tracemonitor.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a Grafana dashboard's PromQL reads: from every panel target's {@code expr} and every templating
 * {@code label_values(metric, label)} query. Enough PromQL to find the names: strings, label matchers, ranges and
 * grouping clauses are dropped, and of the identifiers left those followed by {@code (} are functions or aggregations.
 */
final class DashboardQueries {

    private static final Pattern DROPPED = Pattern.compile(
            "\"(?:[^\"\\\\]|\\\\.)*\"|\\{[^}]*}|\\[[^\\]]*]|\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");

    private DashboardQueries() {
    }

    /** The metric names in the dashboard file. */
    static Set<String> metricNames(Path dashboard) throws IOException {
        JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        Set<String> names = new TreeSet<>();
        for (String expr : expressions(root)) {
            names.addAll(metricNames(expr));
        }
        for (JsonNode variable : root.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(variable.path("definition").asText(""));
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The PromQL of every panel target, rows' nested panels included. */
    static List<String> expressions(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        for (JsonNode target : dashboard.findValues("targets")) {
            for (JsonNode t : target) {
                expressions.add(t.path("expr").asText());
            }
        }
        return expressions;
    }

    /** The metric names one PromQL expression reads. */
    static Set<String> metricNames(String expr) {
        String bare = DROPPED.matcher(expr).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
