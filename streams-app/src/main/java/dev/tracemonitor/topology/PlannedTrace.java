package dev.tracemonitor.topology;

import dev.tracemonitor.model.JudgeBudget;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.sink.TableAddress;
import java.util.List;

/**
 * A decoded trace of a monitored experiment with the judges sampled for it (none: it passes straight through), and
 * its monitor's budget (null: none), and its JSON as received when that can be forwarded instead of encoding the
 * trace (null otherwise; never stored).
 */
public record PlannedTrace(Trace trace, TableAddress table, List<JudgeSpec> judges, long configVersion,
                           JudgeBudget budget, byte[] receivedJson) {
    public PlannedTrace {
        judges = List.copyOf(judges);
    }

    public PlannedTrace(Trace trace, TableAddress table, List<JudgeSpec> judges, long configVersion) {
        this(trace, table, judges, configVersion, null, null);
    }

    /** The same plan with only these judges left (and no received JSON, which is never stored). */
    public PlannedTrace withJudges(List<JudgeSpec> value) {
        return new PlannedTrace(trace, table, value, configVersion, budget, null);
    }
}
