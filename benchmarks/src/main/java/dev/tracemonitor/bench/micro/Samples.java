package dev.tracemonitor.bench.micro;

import dev.tracemonitor.bench.TraceCorpus;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import java.util.ArrayList;
import java.util.List;

/** The records the microbenchmarks cycle through: the load corpus's (3.2 KB average, 45 % RAG). */
final class Samples {

    static final int COUNT = 1024;

    private Samples() {
    }

    static List<byte[]> records() {
        TraceCorpus corpus = new TraceCorpus(TraceCorpus.Settings.defaults("micro"), 1);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            records.add(corpus.record(i).value());
        }
        return records;
    }

    static List<Trace> traces() {
        List<Trace> traces = new ArrayList<>();
        for (byte[] record : records()) {
            traces.add(TraceJsonCodec.decode(record));
        }
        return traces;
    }
}
