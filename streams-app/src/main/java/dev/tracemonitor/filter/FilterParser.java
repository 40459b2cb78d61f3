package dev.tracemonitor.filter;

import dev.tracemonitor.model.TraceInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Parses the filter language: comparisons joined by AND / OR, NOT and parentheses.
 * <pre>
 * comparison := field ( = | != | &lt;&gt; | &lt; | &lt;= | &gt; | &gt;= | LIKE | ILIKE ) literal
 *             | field [NOT] IN ( literal, ... ) | field IS [NOT] NULL
 * field      := state | trace_id | client_request_id | request_time | execution_duration_ms | end_time_ms
 *             | name | run_id
 *             | tags.KEY | trace_metadata.KEY      (KEY may be `quoted` or 'quoted')
 *             | attributes.FIELD                   (MLflow's spelling: attributes.status, attributes.timestamp_ms…)
 * literal    := 'text' | "text" | number
 * </pre>
 * request_time compares with epoch milliseconds or an ISO-8601 instant ('2025-01-01T00:00:00Z').
 */
final class FilterParser {

    /** MLflow's search name {@code name} is this tag (MLflow's {@code SEARCH_KEY_TO_TAG}). */
    private static final String TRACE_NAME_TAG = "mlflow.traceName";
    /** MLflow's search name {@code run_id} is this trace metadata key ({@code SEARCH_KEY_TO_METADATA}). */
    private static final String SOURCE_RUN_METADATA = "mlflow.sourceRun";

    private enum Kind { TEXT, NUMBER }

    private record Field(String name, Kind kind, Function<TraceInfo, Object> getter) {
    }

    private final List<String> tokens;
    private final String source;
    private int pos;

    FilterParser(String source) {
        this.source = source;
        this.tokens = tokenize(source);
    }

    Predicate<TraceInfo> parse() {
        Predicate<TraceInfo> predicate = or();
        if (pos < tokens.size()) {
            throw error("unexpected '" + tokens.get(pos) + "'");
        }
        return predicate;
    }

    private Predicate<TraceInfo> or() {
        Predicate<TraceInfo> left = and();
        while (acceptKeyword("OR")) {
            left = left.or(and());
        }
        return left;
    }

    private Predicate<TraceInfo> and() {
        Predicate<TraceInfo> left = unary();
        while (acceptKeyword("AND")) {
            left = left.and(unary());
        }
        return left;
    }

    private Predicate<TraceInfo> unary() {
        if (acceptKeyword("NOT")) {
            return unary().negate();
        }
        if (accept("(")) {
            Predicate<TraceInfo> inner = or();
            expect(")");
            return inner;
        }
        return comparison();
    }

    private Predicate<TraceInfo> comparison() {
        Field field = field();
        if (acceptKeyword("IS")) {
            boolean not = acceptKeyword("NOT");
            expectKeyword("NULL");
            Predicate<TraceInfo> isNull = info -> field.getter().apply(info) == null;
            return not ? isNull.negate() : isNull;
        }
        boolean not = acceptKeyword("NOT");
        if (acceptKeyword("IN")) {
            expect("(");
            List<Object> values = new ArrayList<>();
            do {
                values.add(literal(field));
            } while (accept(","));
            expect(")");
            Predicate<TraceInfo> in = info -> {
                Object actual = field.getter().apply(info);
                return actual != null && values.stream().anyMatch(v -> compare(actual, v) == 0);
            };
            return not ? in.negate() : in;
        }
        if (not) {
            throw error("NOT after a field must be followed by IN");
        }
        String op = next("an operator");
        String upper = op.toUpperCase(Locale.ROOT);
        if (upper.equals("LIKE") || upper.equals("ILIKE")) {
            if (field.kind() != Kind.TEXT) {
                throw error(upper + " needs a text field, and " + field.name() + " is a number");
            }
            Object literal = literal(field);
            Pattern pattern = likePattern((String) literal, upper.equals("ILIKE"));
            return info -> {
                Object actual = field.getter().apply(info);
                return actual != null && pattern.matcher((String) actual).matches();
            };
        }
        Object literal = literal(field);
        return switch (op) {
            case "=", "==" -> info -> test(field, info, literal, c -> c == 0);
            case "!=", "<>" -> info -> test(field, info, literal, c -> c != 0);
            case "<" -> info -> test(field, info, literal, c -> c < 0);
            case "<=" -> info -> test(field, info, literal, c -> c <= 0);
            case ">" -> info -> test(field, info, literal, c -> c > 0);
            case ">=" -> info -> test(field, info, literal, c -> c >= 0);
            default -> throw error("unknown operator '" + op + "'");
        };
    }

    private static boolean test(Field field, TraceInfo info, Object literal, java.util.function.IntPredicate outcome) {
        Object actual = field.getter().apply(info);
        return actual != null && outcome.test(compare(actual, literal));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object actual, Object literal) {
        return ((Comparable) actual).compareTo(literal);
    }

    private Field field() {
        String name = next("a field");
        String lower = name.toLowerCase(Locale.ROOT);
        if (accept(".")) {
            String key = unquote(next("a key after '" + name + ".'"));
            return switch (lower) {
                case "tags", "tag" -> tag(key);
                case "trace_metadata", "metadata", "request_metadata" -> metadata(key);
                case "attributes", "attribute", "attr", "trace" -> attribute(key);
                default -> throw error("unknown field '" + name + "." + key + "' (use tags.<key> or trace_metadata.<key>)");
            };
        }
        return attribute(name);
    }

    /** A field of the trace itself, by our name or MLflow's search name (with or without its attributes. prefix). */
    private Field attribute(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "state", "status" -> new Field("state", Kind.TEXT, TraceInfo::state);
            case "trace_id", "request_id" -> new Field("trace_id", Kind.TEXT, TraceInfo::traceId);
            case "client_request_id" -> new Field("client_request_id", Kind.TEXT, TraceInfo::clientRequestId);
            case "request_time", "timestamp_ms", "timestamp" ->
                    new Field("request_time", Kind.NUMBER, info -> (double) info.requestTimeMillis());
            case "execution_duration_ms", "execution_time_ms", "execution_time" -> new Field("execution_duration_ms",
                    Kind.NUMBER, info -> info.executionDurationMillis() == null ? null
                            : (double) info.executionDurationMillis());
            case "end_time_ms", "end_time" -> new Field("end_time_ms", Kind.NUMBER,
                    info -> info.executionDurationMillis() == null ? null
                            : (double) (info.requestTimeMillis() + info.executionDurationMillis()));
            case "name" -> tag(TRACE_NAME_TAG);
            case "run_id" -> metadata(SOURCE_RUN_METADATA);
            default -> throw error("unknown field '" + name + "' (known: state, trace_id, client_request_id,"
                    + " request_time, execution_duration_ms, end_time_ms, name, run_id, tags.<key>,"
                    + " trace_metadata.<key>)");
        };
    }

    private static Field tag(String key) {
        return new Field("tags." + key, Kind.TEXT, info -> info.tags().get(key));
    }

    private static Field metadata(String key) {
        return new Field("trace_metadata." + key, Kind.TEXT, info -> info.traceMetadata().get(key));
    }

    private Object literal(Field field) {
        String token = next("a value for " + field.name());
        boolean quoted = token.startsWith("'") || token.startsWith("\"");
        if (field.kind() == Kind.TEXT) {
            if (!quoted) {
                throw error(field.name() + " is text: quote the value, e.g. '" + token + "'");
            }
            return unquote(token);
        }
        String text = quoted ? unquote(token) : token;
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            if (field.name().equals("request_time")) {
                try {
                    return (double) Instant.parse(text).toEpochMilli();
                } catch (DateTimeParseException ignored) {
                    throw error("request_time needs epoch milliseconds or an ISO-8601 instant, not " + token);
                }
            }
            throw error(field.name() + " needs a number, not " + token);
        }
    }

    private static Pattern likePattern(String like, boolean caseInsensitive) {
        StringBuilder regex = new StringBuilder();
        for (char c : like.toCharArray()) {
            switch (c) {
                case '%' -> regex.append(".*");
                case '_' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    }

    private boolean accept(String symbol) {
        if (pos < tokens.size() && tokens.get(pos).equals(symbol)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptKeyword(String keyword) {
        if (pos < tokens.size() && tokens.get(pos).equalsIgnoreCase(keyword)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String symbol) {
        if (!accept(symbol)) {
            throw error("expected '" + symbol + "'");
        }
    }

    private void expectKeyword(String keyword) {
        if (!acceptKeyword(keyword)) {
            throw error("expected " + keyword);
        }
    }

    private String next(String what) {
        if (pos >= tokens.size()) {
            throw error("expected " + what + " at the end");
        }
        return tokens.get(pos++);
    }

    private InvalidFilterException error(String message) {
        return new InvalidFilterException("filter \"" + source + "\": " + message);
    }

    private static String unquote(String token) {
        if (token.length() >= 2) {
            char first = token.charAt(0);
            if ((first == '\'' || first == '"' || first == '`') && token.charAt(token.length() - 1) == first) {
                return token.substring(1, token.length() - 1).replace(String.valueOf(first) + first, String.valueOf(first));
            }
        }
        return token;
    }

    private List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (true) {
                    if (j >= s.length()) {
                        throw new InvalidFilterException("filter \"" + s + "\": unterminated quote at " + i);
                    }
                    if (s.charAt(j) == c) {
                        if (j + 1 < s.length() && s.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                out.add(s.substring(i, j + 1));
                i = j + 1;
            } else if ("(),.".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else if ("=!<>".indexOf(c) >= 0) {
                int j = i + 1;
                if (j < s.length() && "=>".indexOf(s.charAt(j)) >= 0) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '+' || c == ':') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || "_-+:".indexOf(s.charAt(j)) >= 0
                        || (s.charAt(j) == '.' && j > i && Character.isDigit(s.charAt(i))))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            } else {
                throw new InvalidFilterException("filter \"" + s + "\": unexpected character '" + c + "' at " + i);
            }
        }
        return out;
    }
}
