package dev.tracemonitor.delta;

import dev.tracemonitor.model.Span;
import dev.tracemonitor.model.SpanStatus;
import dev.tracemonitor.model.TokenCounts;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceInfo;
import dev.tracemonitor.model.TraceLocation;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes a trace_logs table whose schema evolved, for the interop test that reads it with Spark (a child process:
 * Spark and the service cannot share a classpath): version 0 has the first schema and trace {@code t-old}; the
 * service's writer then adds the token columns (version 1) and trace {@code t-new} with 20/5/25 tokens (version 2).
 *
 * <pre>
 * java -cp 'streams-app/target/test-classes:streams-app/target/trace-monitor.jar:streams-app/target/lib/*' \
 *      dev.tracemonitor.delta.EvolvedTableWriter TABLE_PATH
 * </pre>
 */
public final class EvolvedTableWriter {

    static final long REQUEST_TIME = 1_750_000_000_000L;

    private EvolvedTableWriter() {
    }

    public static void main(String[] args) throws Exception {
        String path = Path.of(args[0]).toAbsolutePath().toString();
        Engine engine = DefaultEngine.create(DeltaStorage.configure(new Configuration()));
        write(engine, path);
        System.out.println("wrote " + path + " at version "
                + DeltaTableStats.read(engine, path).orElseThrow().version());
    }

    /** Version 0 in the first schema with {@code t-old}; the token columns and {@code t-new} by the current writer. */
    static CommitOutcome write(Engine engine, String path) throws IOException {
        int date = TraceLogsSchema.requestDate(REQUEST_TIME);
        FirstSchemaTraceLogsTable first = new FirstSchemaTraceLogsTable(engine, path);
        first.commit(first.write(date, List.of(trace("t-old", 10))), Map.of("sink-0", 0L));
        TraceLogsTable current = new TraceLogsTable(engine, path);
        return current.commit(current.write(date, List.of(trace("t-new", 20))), Map.of("sink-0", 1L));
    }

    static Trace trace(String id, long inputTokens) {
        String usage = "{\"input_tokens\": " + inputTokens + ", \"output_tokens\": 5, \"total_tokens\": "
                + (inputTokens + 5) + "}";
        TraceInfo info = new TraceInfo(id, null, TraceLocation.experiment("7"), REQUEST_TIME, 12L, "OK", null, null,
                Map.of(TokenCounts.TRACE_TOKEN_USAGE, usage), Map.of(), List.of());
        Span root = new Span(id, "root", null, "chat", 1, 2, new SpanStatus("OK", ""), List.of(),
                Map.of(Span.SPAN_INPUTS, "\"question of " + id + "\"", Span.SPAN_OUTPUTS, "\"answer\""));
        return new Trace(info, List.of(root));
    }
}
