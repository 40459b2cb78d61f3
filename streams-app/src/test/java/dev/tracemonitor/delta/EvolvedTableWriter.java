package dev.tracemonitor.delta;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
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

    private EvolvedTableWriter() {
    }

    public static void main(String[] args) throws Exception {
        String path = Path.of(args[0]).toAbsolutePath().toString();
        Engine engine = DefaultEngine.create(DeltaStorage.configure(new Configuration()));
        int date = TraceLogsSchema.requestDate(SchemaEvolutionTest.REQUEST_TIME);
        FirstSchemaTraceLogsTable first = new FirstSchemaTraceLogsTable(engine, path);
        first.commit(first.write(date, List.of(SchemaEvolutionTest.trace("t-old", 10))), Map.of("sink-0", 0L));
        TraceLogsTable current = new TraceLogsTable(engine, path);
        current.commit(current.write(date, List.of(SchemaEvolutionTest.trace("t-new", 20))), Map.of("sink-0", 1L));
        System.out.println("wrote " + path + " at version "
                + DeltaTableStats.read(engine, path).orElseThrow().version());
    }
}
