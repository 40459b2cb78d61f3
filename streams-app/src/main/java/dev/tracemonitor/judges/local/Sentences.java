package dev.tracemonitor.judges.local;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits answer and document text into sentences the way the local judges need it: line breaks end a sentence,
 * markdown list markers and headings are dropped, and the rest is cut with the JDK's English sentence rules.
 */
final class Sentences {

    private static final Pattern LINE_BREAK = Pattern.compile("\\R+");
    private static final Pattern LIST_MARKER = Pattern.compile("^\\s*(?:[-*+•>#]+|\\d{1,3}[.)])\\s+");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}'’-]*");
    private static final Pattern FILLER = Pattern.compile(
            "^(?:let me know|feel free|(?:i )?hope (?:this|that|it) helps|happy to help|glad to help"
                    + "|is there anything else|if you have any (?:other |more |further )?questions"
                    + "|thanks for (?:asking|your question)|great question)\\b",
            Pattern.CASE_INSENSITIVE);

    private Sentences() {
    }

    static List<String> split(String text) {
        List<String> sentences = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return sentences;
        }
        BreakIterator breaks = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        for (String line : LINE_BREAK.split(text.strip())) {
            String content = LIST_MARKER.matcher(line).replaceFirst("").strip();
            if (content.isEmpty()) {
                continue;
            }
            breaks.setText(content);
            int start = breaks.first();
            for (int end = breaks.next(); end != BreakIterator.DONE; start = end, end = breaks.next()) {
                String sentence = content.substring(start, end).strip();
                if (!sentence.isEmpty()) {
                    sentences.add(sentence);
                }
            }
        }
        return sentences;
    }

    static int wordCount(String sentence) {
        Matcher words = WORD.matcher(sentence);
        int count = 0;
        while (words.find()) {
            count++;
        }
        return count;
    }

    /** Conversational courtesy ("Let me know if…", "Hope this helps") that states nothing to ground. */
    static boolean isFiller(String sentence) {
        return FILLER.matcher(sentence.strip()).find();
    }
}
