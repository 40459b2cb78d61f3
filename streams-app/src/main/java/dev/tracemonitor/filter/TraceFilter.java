package dev.tracemonitor.filter;

import dev.tracemonitor.model.TraceInfo;
import java.util.function.Predicate;

/**
 * A compiled monitor filter: which traces of an experiment are eligible for judging, in the spirit of MLflow's
 * {@code filter_string}, e.g. {@code tags.env = 'prod' AND state = 'OK'}. Traces it rejects are still written to the
 * table, unjudged.
 */
public final class TraceFilter {

    private static final TraceFilter ALL = new TraceFilter("", info -> true);

    private final String source;
    private final Predicate<TraceInfo> predicate;

    TraceFilter(String source, Predicate<TraceInfo> predicate) {
        this.source = source;
        this.predicate = predicate;
    }

    /** Compiles an expression; null or blank matches every trace. */
    public static TraceFilter compile(String expression) {
        if (expression == null || expression.isBlank()) {
            return ALL;
        }
        return new TraceFilter(expression, new FilterParser(expression).parse());
    }

    public boolean matches(TraceInfo info) {
        return predicate.test(info);
    }

    @Override
    public String toString() {
        return source;
    }
}
