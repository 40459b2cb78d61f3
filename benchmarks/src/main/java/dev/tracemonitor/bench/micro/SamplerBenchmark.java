package dev.tracemonitor.bench.micro;

import dev.tracemonitor.sampling.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The sampling position u(trace_id): SHA-256 of the id, once per trace in the topology. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SamplerBenchmark {

    private List<String> ids;
    private int next;

    @Setup
    public void setUp() {
        ids = new ArrayList<>();
        for (int i = 0; i < Samples.COUNT; i++) {
            ids.add(String.format("tr-%016x%016x", 0x5eedL, (long) i * 0x9E3779B97F4A7C15L));
        }
    }

    @Benchmark
    public double u() {
        next = (next + 1) & (Samples.COUNT - 1);
        return Sampler.u(ids.get(next));
    }
}
