package dev.tracemonitor.judges.local;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether a sentence says that something is or that it is not, for the groundedness judge: "gift cards can be
 * returned" and "gift cards cannot be returned" embed almost alike. A sentence is negative when it holds a negation
 * ("not", "n't", "never", "no", "cannot"), a restriction ("only", "rather than", "instead of") or a word that undoes
 * ("removed", "gone", "avoid"; lower-case "free" for "no charge"). An answer's leading "Yes," or "No," is not part of
 * its claim.
 */
final class Polarity {

    private static final Pattern CUE = Pattern.compile(
            "(?i:\\b(?:not|no|never|none|nothing|neither|nor|cannot|only|rather\\s+than|instead\\s+of"
                    + "|remov(?:e|es|ed|ing)|gone|avoid(?:s|ed|ing)?)\\b|n['’]t\\b)|\\bfree\\b");
    static final Pattern ANSWER_PARTICLE = Pattern.compile(
            "^(?i:yes|no|yeah|nope|sure|correct|right)\\b[\\s,.;:!–—-]*");
    private static final Pattern CLAUSE_BREAK = Pattern.compile("\\s*[;:]\\s+|,\\s+|\\s+[-–—]\\s+");

    private Polarity() {
    }

    static boolean negative(String sentence) {
        return CUE.matcher(claim(sentence)).find();
    }

    /** The sentence cut at semicolons, colons, dashes and commas, keeping pieces of at least {@code minWords}. */
    static List<String> clauses(String sentence, int minWords) {
        return Arrays.stream(CLAUSE_BREAK.split(claim(sentence)))
                .map(String::strip)
                .filter(clause -> Sentences.wordCount(clause) >= minWords)
                .toList();
    }

    private static String claim(String sentence) {
        return ANSWER_PARTICLE.matcher(sentence.strip()).replaceFirst("");
    }
}
