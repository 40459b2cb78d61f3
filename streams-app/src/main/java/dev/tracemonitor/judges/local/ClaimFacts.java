package dev.tracemonitor.judges.local;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The checkable details of a sentence or passage, for the groundedness judge: an embedding says two texts share a
 * topic, not that "five moons" and "two moons" agree. Quantities are normalised so that differently written equal
 * values compare equal ("two", "2"; "1,000", "1000"; "$1 million", "one million", "1,000,000"; "2.3 cents",
 * "$0.023"; "6 pm", "18:00"), months and weekdays are named in full ("Saturdays", "Sat." → saturday), and names are
 * the capitalised words, acronyms and code identifiers that a sentence does not merely begin with.
 *
 * @param facts every detail in the order found
 */
record ClaimFacts(List<Fact> facts) {

    /** What a detail is: quantities, clock times and calendar words must match in kind and value. */
    enum Kind {
        QUANTITY, TIME, CALENDAR, NAME
    }

    /**
     * One detail.
     *
     * @param kind  what it is
     * @param value the normalised value compared across texts (a plain decimal, "18:00", "saturday", a lower-cased name)
     * @param shown the words as written, for a rationale
     */
    record Fact(Kind kind, String value, String shown) {
    }

    private static final Map<String, Integer> NUMBER_WORDS = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("one", 1), Map.entry("two", 2), Map.entry("three", 3),
            Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6), Map.entry("seven", 7),
            Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10), Map.entry("eleven", 11),
            Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14), Map.entry("fifteen", 15),
            Map.entry("sixteen", 16), Map.entry("seventeen", 17), Map.entry("eighteen", 18),
            Map.entry("nineteen", 19), Map.entry("twenty", 20), Map.entry("thirty", 30), Map.entry("forty", 40),
            Map.entry("fifty", 50), Map.entry("sixty", 60), Map.entry("seventy", 70), Map.entry("eighty", 80),
            Map.entry("ninety", 90), Map.entry("hundred", 100), Map.entry("thousand", 1_000),
            Map.entry("million", 1_000_000), Map.entry("billion", 1_000_000_000));
    private static final String NUMBER_WORD = "(?:" + String.join("|", NUMBER_WORDS.keySet()) + ")";
    private static final String SCALE = "(?:\\s+(?<scale>hundred|thousand|million|billion))?";
    private static final String CENTS = "(?<cents>\\s+cents?\\b)?";

    private static final Pattern TIME = Pattern.compile(
            "(?i)(?<![\\d.,:])(?<hour>\\d{1,2})(?::(?<minute>\\d{2}))?\\s*(?<half>[ap])\\.?m\\b\\.?"
                    + "|(?<![\\d.,:])(?<hour24>\\d{1,2}):(?<minute24>\\d{2})(?![\\d:])");
    private static final Pattern DIGITS = Pattern.compile(
            "(?<![\\p{L}\\d.,])(?<number>\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?)" + SCALE + CENTS,
            Pattern.CASE_INSENSITIVE);
    private static final Pattern WORDS = Pattern.compile(
            "(?i)\\b(?<words>(?:" + NUMBER_WORD + "|half)(?:[\\s-]+(?:and[\\s-]+)?(?:a[\\s-]+)?(?:" + NUMBER_WORD
                    + "|half)\\b)*)\\b" + CENTS);
    private static final Map<String, String> MONTHS = Map.ofEntries(
            Map.entry("jan", "january"), Map.entry("feb", "february"), Map.entry("mar", "march"),
            Map.entry("apr", "april"), Map.entry("may", "may"), Map.entry("jun", "june"), Map.entry("jul", "july"),
            Map.entry("aug", "august"), Map.entry("sep", "september"), Map.entry("oct", "october"),
            Map.entry("nov", "november"), Map.entry("dec", "december"));
    private static final Pattern CALENDAR = Pattern.compile(
            "\\b(?<month>January|February|March|April|May|June|July|August|September|October|November|December"
                    + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\\b\\.?"
                    + "|\\b(?<day>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\\b");
    /** Holidays that name a date: the date's day and month are facts the passage may write as numbers. */
    private static final Pattern HOLIDAY = Pattern.compile(
            "\\b(?:(?<christmas>Christmas)(?:\\s+Day)?|(?<eve>Christmas\\s+Eve)|(?<newyear>New\\s+Year's\\s+Day))\\b");
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}'’._/-]*(?:\\(\\))?");

    /** The details of a text; numbers inside times and names ("L2", "spec.v2") are not quantities. */
    static ClaimFacts of(String text) {
        List<Fact> facts = new ArrayList<>();
        StringBuilder rest = new StringBuilder(text);
        Matcher holiday = HOLIDAY.matcher(rest);
        while (holiday.find()) {
            String day = holiday.group("newyear") != null ? "1" : holiday.group("eve") != null ? "24" : "25";
            String month = holiday.group("newyear") != null ? "january" : "december";
            facts.add(new Fact(Kind.QUANTITY, day, holiday.group()));
            facts.add(new Fact(Kind.CALENDAR, month, holiday.group()));
            blank(rest, holiday.start(), holiday.end());
        }
        Matcher time = TIME.matcher(rest);
        while (time.find()) {
            facts.add(new Fact(Kind.TIME, clock(time), time.group().strip()));
            blank(rest, time.start(), time.end());
        }
        Matcher calendar = CALENDAR.matcher(rest);
        while (calendar.find()) {
            String value = calendar.group("month") != null
                    ? MONTHS.get(calendar.group("month").substring(0, 3).toLowerCase(Locale.ROOT))
                    : calendar.group("day").toLowerCase(Locale.ROOT);
            facts.add(new Fact(Kind.CALENDAR, value, calendar.group()));
            blank(rest, calendar.start(), calendar.end());
        }
        Matcher digits = DIGITS.matcher(rest);
        while (digits.find()) {
            BigDecimal value = new BigDecimal(digits.group("number").replace(",", ""));
            facts.add(quantity(value, digits.group("scale"), digits.group("cents"), digits.group()));
            blank(rest, digits.start(), digits.end());
        }
        Matcher words = WORDS.matcher(rest);
        while (words.find()) {
            BigDecimal value = wordsValue(words.group("words"));
            if (value != null) {
                facts.add(quantity(value, null, words.group("cents"), words.group()));
            }
            blank(rest, words.start(), words.end());
        }
        names(rest.toString(), facts);
        return new ClaimFacts(List.copyOf(facts));
    }

    List<Fact> of(Kind kind) {
        return facts.stream().filter(fact -> fact.kind() == kind).toList();
    }

    boolean contains(Fact fact) {
        return facts.stream().anyMatch(known -> known.kind() == fact.kind() && known.value().equals(fact.value()));
    }

    /** The facts of one kind as written, for a rationale: {@code five} or {@code two, 1877}. */
    String shown(Kind kind) {
        return of(kind).stream().map(Fact::shown).distinct().collect(Collectors.joining(", "));
    }

    private static Fact quantity(BigDecimal number, String scale, String cents, String shown) {
        BigDecimal value = number;
        if (scale != null) {
            value = value.multiply(BigDecimal.valueOf(NUMBER_WORDS.get(scale.toLowerCase(Locale.ROOT))));
        }
        if (cents != null) {
            value = value.movePointLeft(2);
        }
        return new Fact(Kind.QUANTITY, value.stripTrailingZeros().toPlainString(), shown.strip());
    }

    /**
     * "one and a half" → 1.5, "twenty thousand" → 20000, "four" → 4. A lone "one" is left out: it is more often a
     * pronoun ("the bigger one") than a count.
     */
    private static BigDecimal wordsValue(String phrase) {
        String[] parts = phrase.toLowerCase(Locale.ROOT).split("[\\s-]+");
        if (parts.length == 1 && parts[0].equals("one")) {
            return null;
        }
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal current = BigDecimal.ZERO;
        for (String part : parts) {
            if (part.equals("and") || part.equals("a")) {
                continue;
            }
            if (part.equals("half")) {
                current = current.add(new BigDecimal("0.5"));
                continue;
            }
            int value = NUMBER_WORDS.get(part);
            if (value == 100) {
                current = current.signum() == 0 ? BigDecimal.valueOf(100) : current.multiply(BigDecimal.valueOf(100));
            } else if (value >= 1_000) {
                BigDecimal base = current.signum() == 0 ? BigDecimal.ONE : current;
                total = total.add(base.multiply(BigDecimal.valueOf(value)));
                current = BigDecimal.ZERO;
            } else {
                current = current.add(BigDecimal.valueOf(value));
            }
        }
        return total.add(current);
    }

    private static String clock(Matcher time) {
        if (time.group("hour24") != null) {
            return Integer.parseInt(time.group("hour24")) + ":" + time.group("minute24");
        }
        int hour = Integer.parseInt(time.group("hour")) % 12;
        if (Character.toLowerCase(time.group("half").charAt(0)) == 'p') {
            hour += 12;
        }
        String minute = time.group("minute") == null ? "00" : time.group("minute");
        return hour + ":" + minute;
    }

    /**
     * Names: a word with a capital after its first letter (SAML, CarePlus, OpenID), a code identifier
     * (spec.revisionHistoryLimit, connect()), or a capitalised word that does not begin the sentence. Adjacent name
     * words form one name ("Galileo Galilei").
     */
    private static void names(String text, List<Fact> facts) {
        Matcher particle = Polarity.ANSWER_PARTICLE.matcher(text.strip());
        int first = particle.lookingAt() ? text.indexOf(text.strip()) + particle.end() : text.indexOf(text.strip());
        Matcher token = TOKEN.matcher(text);
        StringBuilder shown = new StringBuilder();
        StringBuilder value = new StringBuilder();
        int lastEnd = -1;
        boolean initial = true;
        while (token.find()) {
            String word = trim(token.group());
            boolean sentenceStart = initial && token.start() >= first;
            if (sentenceStart) {
                initial = false;
            }
            boolean name = !word.isEmpty() && isName(word, sentenceStart || token.start() < first);
            boolean adjacent = lastEnd >= 0 && text.substring(lastEnd, token.start()).equals(" ");
            if (!name || !adjacent) {
                flush(shown, value, facts);
            }
            if (name) {
                shown.append(shown.isEmpty() ? "" : " ").append(word);
                value.append(value.isEmpty() ? "" : " ").append(key(word));
                lastEnd = token.start() + word.length();
            } else {
                lastEnd = -1;
            }
            if (endsSentence(text, token.end())) {
                initial = true;
            }
        }
        flush(shown, value, facts);
    }

    private static boolean endsSentence(String text, int end) {
        int i = end;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return end > 0 && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == '!' || text.charAt(end - 1) == '?')
                && i < text.length() && Character.isUpperCase(text.charAt(i));
    }

    private static void flush(StringBuilder shown, StringBuilder value, List<Fact> facts) {
        if (!shown.isEmpty()) {
            facts.add(new Fact(Kind.NAME, value.toString(), shown.toString()));
            shown.setLength(0);
            value.setLength(0);
        }
    }

    private static boolean isName(String word, boolean sentenceStart) {
        if (word.endsWith("()") || word.matches(".*\\p{L}\\.\\p{L}.*")) {
            return true;
        }
        if (word.length() < 2 || !Character.isLetter(word.charAt(0))) {
            return false;
        }
        boolean innerCapital = word.substring(1).chars().anyMatch(Character::isUpperCase)
                && !word.contains("-") && !word.contains("/");
        if (innerCapital) {
            return true;
        }
        return !sentenceStart && Character.isUpperCase(word.charAt(0));
    }

    private static String trim(String token) {
        String word = token;
        while (!word.isEmpty() && ".-/_'’".indexOf(word.charAt(word.length() - 1)) >= 0) {
            word = word.substring(0, word.length() - 1);
        }
        return word;
    }

    /** The lower-cased word without possessive or call parentheses: "Mars's" → mars, "open()" → open. */
    static String key(String word) {
        String key = word.toLowerCase(Locale.ROOT);
        if (key.endsWith("()")) {
            key = key.substring(0, key.length() - 2);
        }
        if (key.endsWith("'s") || key.endsWith("’s")) {
            key = key.substring(0, key.length() - 2);
        }
        return key;
    }

    private static void blank(StringBuilder text, int start, int end) {
        for (int i = start; i < end; i++) {
            text.setCharAt(i, ' ');
        }
    }
}
