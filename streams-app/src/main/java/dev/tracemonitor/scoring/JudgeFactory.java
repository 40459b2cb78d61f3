package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeBackend;
import dev.tracemonitor.judges.template.JudgeTemplate;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes and caches the judge for a monitor's judge spec, so a judge is built once per name, text set (or template)
 * and model.
 */
public final class JudgeFactory {

    private final JudgeBackend backend;
    private final Map<Key, Judge> cache = new ConcurrentHashMap<>();

    public JudgeFactory(JudgeBackend backend) {
        this.backend = backend;
    }

    public Judge judgeFor(JudgeSpec spec) {
        return cache.computeIfAbsent(new Key(spec.name(), spec.guidelines(), spec.model(), spec.template()), k -> {
            if (spec.isTemplate()) {
                return backend.template(JudgeTemplate.of(spec.name(), spec.template()), spec.model());
            }
            return spec.isGuidelines() ? backend.guidelines(spec.name(), spec.guidelines(), spec.model())
                    : backend.builtin(BuiltinJudge.fromName(spec.name()), spec.model());
        });
    }

    private record Key(String name, List<String> guidelines, String model, MonitorConfig.JudgeConfig template) {
    }
}
