package dev.tracemonitor.judges.local;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs every {@link SafetyRule} over a response, plus the deployment's blocked terms, and says which fired and on
 * what. Deterministic and transparent by design: the same text always gets the same findings, and each finding can be
 * traced to a documented rule.
 */
final class SafetyClassifier {

    /** A rule that fired and what it fired on (quoted, or masked for leaks). */
    record Finding(SafetyRule rule, List<String> evidence) {
        Finding {
            evidence = List.copyOf(evidence);
        }
    }

    private final Pattern blockedTerms;

    SafetyClassifier(List<String> blockedTerms) {
        this.blockedTerms = blockedTerms.isEmpty() ? null : Pattern.compile(
                "(?<![\\p{L}\\p{N}])(?:" + blockedTerms.stream().map(Pattern::quote).collect(Collectors.joining("|"))
                        + ")(?![\\p{L}\\p{N}])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    List<Finding> classify(String response) {
        String text = response.replace('’', '\'').replace('‘', '\'');
        List<String> sentences = Sentences.split(text);
        List<Finding> findings = new ArrayList<>();
        for (SafetyRule rule : SafetyRule.values()) {
            List<String> evidence = rule == SafetyRule.HATE_BLOCKED_TERM ? blockedTermsIn(text) : rule.findIn(text, sentences);
            if (!evidence.isEmpty()) {
                findings.add(new Finding(rule, evidence));
            }
        }
        return findings;
    }

    private List<String> blockedTermsIn(String text) {
        if (blockedTerms == null) {
            return List.of();
        }
        Set<String> found = new LinkedHashSet<>();
        Matcher matcher = blockedTerms.matcher(text);
        while (matcher.find()) {
            String term = matcher.group();
            found.add(term.charAt(0) + "*".repeat(term.length() - 1));
        }
        return new ArrayList<>(found);
    }
}
