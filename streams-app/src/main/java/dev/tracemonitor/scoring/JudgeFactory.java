package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Makes and caches the judge for a monitor's judge spec, so a guidelines judge is built once per text set. */
public final class JudgeFactory {

    private final JudgeBackend backend;
    private final Map<List<Object>, Judge> cache = new ConcurrentHashMap<>();

    public JudgeFactory(JudgeBackend backend) {
        this.backend = backend;
    }

    public Judge judgeFor(JudgeSpec spec) {
        List<Object> key = spec.isGuidelines() ? List.of(spec.name(), spec.guidelines()) : List.of(spec.name());
        return cache.computeIfAbsent(key, k -> spec.isGuidelines()
                ? backend.guidelines(spec.name(), spec.guidelines())
                : backend.builtin(spec.name()));
    }
}
