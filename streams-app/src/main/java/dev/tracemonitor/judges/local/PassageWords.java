package dev.tracemonitor.judges.local;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words of a retriever span's documents, to tell whether a name in the response is one the documents mention,
 * allowing for the forms a faithful answer uses: another case, a plural or possessive ("ISAs", "Africa's"), a
 * related form ("Germany" for "German"), an identifier's parts, or an acronym of words the documents spell out
 * ("PTO" for "paid time off", "JWST" for "James Webb Space Telescope").
 */
final class PassageWords {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}'’._/-]*");
    private static final Pattern ACRONYM = Pattern.compile("(\\p{Lu}{2,6})s?");
    private static final int MIN_STEM = 5;
    private static final Set<String> FUNCTION_WORDS = Set.of("the", "and", "for", "with", "are", "was", "were",
            "has", "have", "had", "its", "it's", "this", "that", "these", "those", "from", "into", "than", "then",
            "you", "your", "our", "their", "they", "can", "will", "would", "should", "may", "must", "all", "any",
            "yes", "not", "but", "also", "which", "who", "what", "when", "where", "how", "about", "after", "before");

    private final Set<String> words = new HashSet<>();
    private final List<String> sequence = new ArrayList<>();

    /** The words of a text that carry content: lower-cased, three letters or more, not function words. */
    static Set<String> content(String text) {
        Set<String> content = new HashSet<>();
        Matcher word = WORD.matcher(text);
        while (word.find()) {
            String key = ClaimFacts.key(word.group().replaceAll("[.\\-/_'’]+$", ""));
            if (key.length() >= 3 && !FUNCTION_WORDS.contains(key)) {
                content.add(key);
            }
        }
        return content;
    }

    PassageWords(List<String> texts) {
        for (String text : texts) {
            Matcher word = WORD.matcher(text);
            while (word.find()) {
                String key = ClaimFacts.key(word.group().replaceAll("[.\\-/_'’]+$", ""));
                words.add(key);
                for (String part : key.split("[.\\-/_]")) {
                    if (!part.isEmpty()) {
                        words.add(part);
                        sequence.add(part);
                    }
                }
            }
        }
    }

    /** Whether every word of the name is one the documents use. */
    boolean mentions(ClaimFacts.Fact name) {
        String[] keys = name.value().split(" ");
        String[] shown = name.shown().split(" ");
        for (int i = 0; i < keys.length; i++) {
            if (!knows(keys[i], i < shown.length ? shown[i] : keys[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean knows(String word, String shown) {
        if (words.contains(word) || (word.endsWith("s") && words.contains(word.substring(0, word.length() - 1)))) {
            return true;
        }
        if (word.length() >= MIN_STEM) {
            for (String known : words) {
                if (known.length() >= MIN_STEM && (known.startsWith(word) || word.startsWith(known))) {
                    return true;
                }
            }
        }
        return ACRONYM.matcher(shown).matches() && spellsOut(ACRONYM.matcher(shown).replaceAll("$1"));
    }

    /** Whether consecutive document words begin with the acronym's letters, in order. */
    private boolean spellsOut(String acronym) {
        String letters = acronym.toLowerCase(Locale.ROOT);
        for (int start = 0; start + letters.length() <= sequence.size(); start++) {
            boolean matches = true;
            for (int i = 0; i < letters.length() && matches; i++) {
                matches = sequence.get(start + i).charAt(0) == letters.charAt(i);
            }
            if (matches) {
                return true;
            }
        }
        return false;
    }
}
