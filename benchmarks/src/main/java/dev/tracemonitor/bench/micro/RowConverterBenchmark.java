package dev.tracemonitor.bench.micro;

import dev.tracemonitor.delta.TraceRowConverter;
import dev.tracemonitor.model.Trace;
import io.delta.kernel.data.ColumnarBatch;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Row conversion for Delta: decoded traces into Kernel columnar vectors, per trace, in batches of 1,024. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RowConverterBenchmark {

    private List<Trace> traces;

    @Setup
    public void setUp() {
        traces = Samples.traces();
    }

    @Benchmark
    @OperationsPerInvocation(Samples.COUNT)
    public ColumnarBatch toBatch() {
        return TraceRowConverter.toBatch(traces);
    }
}
