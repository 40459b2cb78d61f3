package dev.tracemonitor.bench.micro;

import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
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
 * MLflow trace JSON, per record: a trace is decoded twice in the service (the topology's {@code decodeReceived} of
 * {@code traces}, which also tells whether the received bytes can be forwarded, and the sink's {@code decode} of
 * {@code traces-assessed}); {@code encode} runs for a trace the topology cannot forward as received (one with new
 * assessments, one from Avro, one whose encoding would decode differently).
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
    public Object decodeReceived() {
        next = (next + 1) & (Samples.COUNT - 1);
        return TraceJsonCodec.decodeReceived(records.get(next));
    }

    @Benchmark
    public byte[] encode() {
        next = (next + 1) & (Samples.COUNT - 1);
        return TraceJsonCodec.encode(traces.get(next));
    }
}
