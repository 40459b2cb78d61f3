package dev.tracemonitor.topology;

import dev.tracemonitor.model.Trace;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.sink.TableAddress;
import java.util.List;

/** A decoded trace of a monitored experiment with the judges sampled for it (none: it passes straight through). */
public record PlannedTrace(Trace trace, TableAddress table, List<JudgeSpec> judges, long configVersion) {
    public PlannedTrace {
        judges = List.copyOf(judges);
    }
}
