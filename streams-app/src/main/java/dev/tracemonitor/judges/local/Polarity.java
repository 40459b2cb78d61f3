package dev.tracemonitor.judges.local;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a sentence says that something is or that it is not, for the groundedness judge: "gift cards can be
 * returned" and "gift cards cannot be returned" embed almost alike. A sentence is negative when it holds a negation
 * ("not", "n't", "never", "no", "cannot"), a restriction ("only", "unless", "rather than", "instead of") or a word
 * that undoes or forbids ("without", "removed", "gone", "avoid", "prohibited", "closed", "non-returnable",
 * "unavailable"; lower-case "free" for "no charge"). An answer's leading "Yes," or "No," is not part of its claim.
 * Compared with another sentence, "free" counts only when it is about what that sentence talks about
 * ({@link #negativeAbout}): "a free SO-DIMM slot" does not make "ships with 16 GB of RAM" a negative statement.
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
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    /** The words after a "free" before a noun that are its scope: "a free rebooking on the next flight". */
    private static final int SCOPE_AFTER = 3;
    /** "free" before a noun, not after a form of "be" nor before "of", "to", "for": "a free slot", not "is free to join". */
    private static final Pattern ATTRIBUTIVE_FREE = Pattern.compile(
            "(?<!\\b(?:is|are|was|were|be|been|it's|stays|remains)\\s)free\\s+(?!(?:of|to|for|and|or|from|with|in|on)\\b)"
                    + "(?<scope>[\\p{L}\\p{N}][\\p{L}\\p{N}-]*(?:\\s+[\\p{L}\\p{N}][\\p{L}\\p{N}-]*){0," + (SCOPE_AFTER - 1) + "})",
            Pattern.CASE_INSENSITIVE);
    /** Two words are one when equal, or when they share a beginning of this many letters ("refund", "refundable"). */
    private static final int SHARED_STEM = 5;
    private static final Pattern CLAUSE_BREAK = Pattern.compile("\\s*[;:]\\s+|,\\s+|\\s+[-–—]\\s+");

    private Polarity() {
    }

    static boolean negative(String sentence) {
        return CUE.matcher(claim(sentence)).find();
    }

    /**
     * Whether the sentence is negative about what the other sentence talks about: it holds a negation or restriction,
     * a predicative "free" ("delivery is free"), or a "free" before a noun whose next {@value #SCOPE_AFTER} words hold
     * a content word of the other sentence. "Or a free rebooking" beside a claim about refunds is about something that
     * claim does not mention. Other cues count wherever they are: their subject is often far from them ("gift cards and
     * personalised items are non-refundable").
     */
    static boolean negativeAbout(String sentence, String other) {
        String text = claim(sentence);
        Set<String> otherWords = PassageWords.content(other);
        Matcher cue = CUE.matcher(text);
        while (cue.find()) {
            if (!cue.group().equals("free")) {
                return true;
            }
            Matcher attributive = ATTRIBUTIVE_FREE.matcher(text).region(cue.start(), text.length());
            if (!attributive.lookingAt()) {
                return true;
            }
            Matcher scope = WORD.matcher(attributive.group("scope"));
            while (scope.find()) {
                String key = ClaimFacts.key(scope.group());
                if (PassageWords.content(key).contains(key) && related(key, otherWords)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean related(String word, Set<String> words) {
        if (words.contains(word)) {
            return true;
        }
        if (word.length() < SHARED_STEM) {
            return false;
        }
        String stem = word.substring(0, SHARED_STEM);
        return words.stream().anyMatch(other -> other.startsWith(stem));
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
