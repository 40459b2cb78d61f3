package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.template.JudgeTemplate;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.scorers.ScorerRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes and caches the judge for a monitor's judge spec, so a judge is built once per name, text set (or template)
 * and model; a code scorer's judge comes from the plugin registry.
 */
public final class JudgeFactory {

    private final JudgeBackend backend;
    private final ScorerRegistry scorers;
    private final Map<Key, Judge> cache = new ConcurrentHashMap<>();

    public JudgeFactory(JudgeBackend backend, ScorerRegistry scorers) {
        this.backend = backend;
        this.scorers = scorers;
    }

    /** Without plugin scorers (a monitor's scorer is then {@code SCORER_NOT_FOUND}). */
    public JudgeFactory(JudgeBackend backend) {
        this(backend, ScorerRegistry.empty());
    }

    public Judge judgeFor(JudgeSpec spec) {
        return cache.computeIfAbsent(new Key(spec.name(), spec.guidelines(), spec.model(), spec.template(),
                spec.scorer()), k -> {
            if (spec.scorer()) {
                return scorers.judge(spec.name());
            }
            if (spec.isTemplate()) {
                return backend.template(JudgeTemplate.of(spec.name(), spec.template()), spec.model());
            }
            return spec.isGuidelines() ? backend.guidelines(spec.name(), spec.guidelines(), spec.model())
                    : backend.builtin(BuiltinJudge.fromName(spec.name()), spec.model());
        });
    }

    private record Key(String name, List<String> guidelines, String model, MonitorConfig.JudgeConfig template,
                       boolean scorer) {
    }
}
