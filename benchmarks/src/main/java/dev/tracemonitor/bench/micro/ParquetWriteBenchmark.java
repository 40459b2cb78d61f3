package dev.tracemonitor.bench.micro;

import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.TraceLogsSchema;
import dev.tracemonitor.delta.TraceLogsTable;
import dev.tracemonitor.model.Trace;
import io.delta.kernel.defaults.engine.DefaultEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the sink pays per trace to put it in a data file: row conversion plus Kernel's Parquet writer
 * ({@link TraceLogsTable#write}), on local disk, in files of 1,024 rows (the sink writes larger ones).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ParquetWriteBenchmark {

    private List<Trace> traces;
    private int date;
    private Path dir;
    private TraceLogsTable table;
    private final List<DataFile> written = new ArrayList<>();

    @Setup
    public void setUp() throws IOException {
        List<Trace> all = Samples.traces();
        date = TraceLogsSchema.requestDate(all.get(0).info().requestTimeMillis());
        traces = new ArrayList<>();
        for (Trace t : all) {
            if (TraceLogsSchema.requestDate(t.info().requestTimeMillis()) == date) {
                traces.add(t);
            }
        }
        while (traces.size() < Samples.COUNT) {
            traces.addAll(traces.subList(0, Math.min(traces.size(), Samples.COUNT - traces.size())));
        }
        dir = Files.createTempDirectory("bench-parquet");
        table = new TraceLogsTable(DefaultEngine.create(new Configuration()), dir.resolve("t").toString());
    }

    @Benchmark
    @OperationsPerInvocation(Samples.COUNT)
    public List<DataFile> write() throws IOException {
        List<DataFile> files = table.write(date, traces);
        written.addAll(files);
        return files;
    }

    @TearDown(Level.Iteration)
    public void deleteFiles() {
        table.delete(written);
        written.clear();
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
