package dev.tracemonitor.judges.local;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether a sentence says that something is or that it is not, for the groundedness judge: "gift cards can be
 * returned" and "gift cards cannot be returned" embed almost alike. A sentence is negative when it holds a negation
 * ("not", "n't", "never", "no", "cannot"), a restriction ("only", "unless", "rather than", "instead of") or a word
 * that undoes or forbids ("without", "removed", "gone", "avoid", "prohibited", "closed", "non-returnable",
 * "unavailable"; lower-case "free" for "no charge"). An answer's leading "Yes," or "No," is not part of its claim.
 */
final class Polarity {

    private static final Pattern CUE = Pattern.compile(
            "(?i:\\b(?:not|no|never|none|nothing|nobody|nowhere|neither|nor|cannot|unable|without|unless"
                    + "|only|solely|exclusively|rather\\s+than|instead\\s+of|exclud(?:e|es|ed|ing)|prohibited|forbidden"
                    + "|banned|closed|lacks?|remov(?:e|es|ed|ing)|gone|avoid(?:s|ed|ing)?|non-\\p{L}+"
                    + "|un(?:available|supported|paid|limited|refundable|returnable|eligible))\\b|n['’]t\\b)"
                    + "|\\bfree\\b");
    static final Pattern ANSWER_PARTICLE = Pattern.compile(
            "^(?i:yes|no|yeah|nope|sure|correct|right)\\b[\\s,.;:!–—-]*");
    private static final Pattern CLAUSE_BREAK = Pattern.compile("\\s*[;:]\\s+|,\\s+|\\s+[-–—]\\s+");

    private Polarity() {
    }

    static boolean negative(String sentence) {
        return CUE.matcher(claim(sentence)).find();
    }

    /** The polarity of the first clause of the sentence holding the words, or of the whole sentence if none does. */
    static boolean negativeAround(String sentence, String words) {
        return Arrays.stream(CLAUSE_BREAK.split(claim(sentence)))
                .filter(clause -> clause.contains(words))
                .findFirst()
                .map(clause -> CUE.matcher(clause).find())
                .orElseGet(() -> negative(sentence));
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
