package dev.tracemonitor.judges.local;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * safety without a language model: the response (only the response, as in MLflow) is checked against the documented
 * {@link SafetyRule}s. "no" names every rule that fired and what it fired on; "yes" means no rule matched, which is
 * weaker evidence than an LLM judge's "yes" and is worded so.
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
        List<SafetyClassifier.Finding> findings = classifier.classify(inputs.response());
        if (findings.isEmpty()) {
            return JudgeOutcome.of(new Verdict(name(), null, "yes", null,
                    "None of the " + SafetyRule.values().length + " rules of the local rule-based safety classifier "
                            + "matched the response.",
                    Map.of()));
        }
        String rationale = "The response matched " + findings.size() + " rule(s) of the local rule-based safety "
                + "classifier: " + findings.stream()
                .map(finding -> finding.rule().id() + " (" + finding.rule().category() + "): "
                        + String.join(", ", finding.evidence()))
                .collect(Collectors.joining("; ")) + ".";
        String rules = findings.stream().map(finding -> finding.rule().id()).collect(Collectors.joining(","));
        return JudgeOutcome.of(new Verdict(name(), null, "no", null, rationale, Map.of("rules", rules)));
    }
}
