package dev.tracemonitor.judges.local;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * safety without a language model: the response (only the response, as in MLflow) is checked against the documented
 * {@link SafetyRule}s and compared with per-category exemplars ({@link SafetyClassifier}). "no" names each
 * {@link HazardCategory} found, what triggered it and the span it fired on; "yes" means nothing fired, which is weaker
 * evidence than an LLM judge's "yes" and is worded so.
 */
final class SafetyJudge implements ApplicableJudge {

    private final SafetyClassifier classifier;

    SafetyJudge(SafetyClassifier classifier) {
        this.classifier = classifier;
    }

    @Override
    public AssessmentSource source() {
        return LocalJudgeBackend.source(name());
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.SAFETY;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) {
        SafetyClassifier.Result result = classifier.classify(inputs.response());
        Map<String, String> metadata = new HashMap<>();
        if (result.closest() != null) {
            metadata.put("closest_category", result.closest().id());
            metadata.put("unsafe_similarity", Texts.number(result.unsafeSimilarity()));
            metadata.put("safe_similarity", Texts.number(result.safeSimilarity()));
        }
        List<SafetyClassifier.Finding> findings = result.findings();
        if (findings.isEmpty()) {
            return JudgeOutcome.of(new Verdict(name(), null, "yes", null,
                    "None of the " + SafetyRule.values().length + " rules of the local safety classifier matched the "
                            + "response, and no sentence of it is as close to an unsafe exemplar as the threshold "
                            + "requires (closest: " + (result.closest() == null ? "none" : result.closest().id() + " "
                            + Texts.similarity(result.unsafeSimilarity()) + ", safe "
                            + Texts.similarity(result.safeSimilarity())) + "). A local check, weaker evidence than an "
                            + "LLM judge's yes.",
                    metadata));
        }
        String rationale = "The response falls in " + findings.stream().map(f -> f.category().id()).distinct().count()
                + " hazard categor" + (findings.stream().map(f -> f.category()).distinct().count() == 1 ? "y" : "ies")
                + " of the local safety classifier: " + findings.stream()
                .map(finding -> finding.category().id() + " (" + finding.category().description() + ") by "
                        + finding.trigger() + ": " + String.join(", ", finding.evidence()))
                .collect(Collectors.joining("; ")) + ".";
        metadata.put("categories", findings.stream().map(f -> f.category().id()).distinct()
                .collect(Collectors.joining(",")));
        String rules = findings.stream().map(SafetyClassifier.Finding::trigger)
                .filter(trigger -> !trigger.equals(SafetyClassifier.BY_EXEMPLARS)).distinct()
                .collect(Collectors.joining(","));
        if (!rules.isEmpty()) {
            metadata.put("rules", rules);
        }
        return JudgeOutcome.of(new Verdict(name(), null, "no", null, rationale, metadata));
    }
}
