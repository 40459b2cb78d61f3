package dev.tracemonitor.bench.micro;

import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceJsonCodec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * MLflow trace JSON, per record: {@code decode} runs twice per trace in the service (the topology's decode of
 * {@code traces}, the sink's of {@code traces-assessed}), {@code encode} once (the topology writes the trace, with
 * its assessments, to {@code traces-assessed}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TraceCodecBenchmark {

    private List<byte[]> records;
    private List<Trace> traces;
    private int next;

    @Setup
    public void setUp() {
        records = Samples.records();
        traces = Samples.traces();
    }

    @Benchmark
    public Trace decode() {
        next = (next + 1) & (Samples.COUNT - 1);
        return TraceJsonCodec.decode(records.get(next));
    }

    @Benchmark
    public byte[] encode() {
        next = (next + 1) & (Samples.COUNT - 1);
        return TraceJsonCodec.encode(traces.get(next));
    }
}
