package dev.tracemonitor.judges.local;

import java.util.Locale;

/** Number and quotation formats shared by the local judges' rationales and metadata. */
final class Texts {

    private Texts() {
    }

    static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    /** The text with typographic apostrophes and single quotes made plain, so that patterns need only one form. */
    static String plainQuotes(String text) {
        return text.replace('’', '\'').replace('‘', '\'');
    }

    /** A similarity for a rationale: two decimals. */
    static String similarity(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** A number for metadata: four decimals, so that values can be compared and re-plotted. */
    static String number(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    /** The text in double quotes, whitespace collapsed, cut to {@code max} characters with an ellipsis. */
    static String quote(String text, int max) {
        String flat = text.strip().replaceAll("\\s+", " ");
        return "\"" + (flat.length() > max ? flat.substring(0, max - 1) + "…" : flat) + "\"";
    }
}
