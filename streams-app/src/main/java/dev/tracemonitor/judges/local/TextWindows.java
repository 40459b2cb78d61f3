package dev.tracemonitor.judges.local;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.function.ToIntFunction;

/**
 * Cuts text to what the embedding model actually reads. The all-MiniLM-L6-v2 tokenizer shipped with LangChain4j
 * silently truncates every input to 128 wordpieces, so a longer text would be judged on its beginning without anyone
 * knowing: callers either take the {@link #head} explicitly or {@link #split} the text into windows that each fit.
 */
final class TextWindows {

    private static final int CHARS_PER_TOKEN_BOUND = 12;

    private final ToIntFunction<String> tokenCounter;
    private final int windowTokens;

    /**
     * @param tokenCounter wordpieces in a text, without the special tokens the model adds
     * @param windowTokens the most wordpieces a window may hold
     */
    TextWindows(ToIntFunction<String> tokenCounter, int windowTokens) {
        this.tokenCounter = tokenCounter;
        this.windowTokens = windowTokens;
    }

    /** The longest prefix of the text, cut at a word boundary where possible, that fits in one window. */
    String head(String text) {
        String stripped = text.strip();
        String candidate = stripped.length() > windowTokens * CHARS_PER_TOKEN_BOUND
                ? stripped.substring(0, windowTokens * CHARS_PER_TOKEN_BOUND)
                : stripped;
        if (fits(candidate)) {
            return candidate;
        }
        List<Integer> wordEnds = wordEnds(candidate);
        int words = largestFitting(wordEnds.size(), i -> wordEnds.get(i), candidate);
        if (words > 0) {
            return candidate.substring(0, wordEnds.get(words - 1));
        }
        int chars = largestFitting(candidate.length(), i -> i + 1, candidate);
        return candidate.substring(0, Math.max(chars, 1));
    }

    /**
     * Consecutive sentences packed into windows of at most {@code windowTokens} wordpieces each; a sentence longer
     * than a window is cut into several. Stops after {@code maxWindows} windows.
     */
    List<String> split(String text, int maxWindows) {
        List<String> windows = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int currentTokens = 0;
        for (String sentence : Sentences.split(text)) {
            for (String piece : pieces(sentence)) {
                int tokens = tokenCounter.applyAsInt(piece);
                if (currentTokens > 0 && currentTokens + tokens > windowTokens) {
                    windows.add(current.toString());
                    if (windows.size() == maxWindows) {
                        return windows;
                    }
                    current.setLength(0);
                    currentTokens = 0;
                }
                if (!current.isEmpty()) {
                    current.append(' ');
                }
                current.append(piece);
                currentTokens += tokens;
            }
        }
        if (!current.isEmpty() && windows.size() < maxWindows) {
            windows.add(current.toString());
        }
        return windows;
    }

    private List<String> pieces(String sentence) {
        List<String> pieces = new ArrayList<>();
        String rest = sentence;
        while (!rest.isBlank()) {
            String head = head(rest);
            pieces.add(head);
            rest = rest.strip().substring(head.length());
        }
        return pieces;
    }

    private boolean fits(String text) {
        return tokenCounter.applyAsInt(text) <= windowTokens;
    }

    /** The largest count n in [0, size] such that the prefix ending at position(n - 1) fits; 0 if none does. */
    private int largestFitting(int size, IntUnaryOperator position, String text) {
        int low = 0;
        int high = size;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (fits(text.substring(0, position.applyAsInt(mid - 1)))) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    private static List<Integer> wordEnds(String text) {
        List<Integer> ends = new ArrayList<>();
        for (int i = 1; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
                ends.add(i);
            }
        }
        return ends;
    }
}
