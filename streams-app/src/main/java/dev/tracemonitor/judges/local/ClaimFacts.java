package dev.tracemonitor.judges.local;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    record Fact(Kind kind, String value, String shown, Measure measure) {
        Fact(Kind kind, String value, String shown) {
            this(kind, value, shown, null);
        }

        /** Whether a text's fact states this one: the same value, or (for quantities) the same size in other units. */
        boolean statedBy(Fact known) {
            return known.kind == kind && (known.value.equals(value)
                    || (measure != null && known.measure != null && measure.near(known.measure)));
        }
    }

    /**
     * A quantity's size in a common unit, so that "two weeks" meets "14 days", "18 months" meets "1.5 years" and
     * "30%" meets "a third" (shares are compared within {@link Dimension#SHARE}'s tolerance, since words round).
     */
    record Measure(Dimension dimension, BigDecimal amount) {
        boolean near(Measure other) {
            return dimension == other.dimension
                    && amount.subtract(other.amount).abs().compareTo(dimension.tolerance) <= 0;
        }
    }

    /** What a measure counts: durations (in minutes, or in months for months and years) and shares of a whole. */
    enum Dimension {
        MINUTES("0"), MONTHS("0"), SHARE("0.04");

        private final BigDecimal tolerance;

        Dimension(String tolerance) {
            this.tolerance = new BigDecimal(tolerance);
        }
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
            "(?i)(?<![\\d.,:])(?<hour>\\d{1,2})(?:[:.](?<minute>\\d{2}))?\\s*(?<half>[ap])\\.?m\\b\\.?"
                    + "|\\b(?<noon>noon|midday|midnight)\\b"
                    + "|(?<![\\d.,:])\\b(?<hourOfDay>\\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
                    + "(?:[:.](?<minuteOfDay>\\d{2}))?\\s+(?:o'clock\\s+)?(?:in\\s+the\\s+(?<part>morning|afternoon|evening)"
                    + "|at\\s+(?<night>night))\\b"
                    + "|(?<![\\d.,:])(?<hour24>\\d{1,2}):(?<minute24>\\d{2})(?![\\d:])");
    private static final Pattern DIGITS = Pattern.compile(
            "(?<![\\p{L}\\d.,])(?<number>\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?)(?:st|nd|rd|th)?"
                    + SCALE + CENTS,
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
    /** Capitalised or upper-case words that are units, currencies or courtesy, not names a document must hold. */
    private static final Set<String> NOT_NAMES = Set.of("OK", "Okay", "AM", "PM", "FAQ", "ID", "KB", "MB", "GB", "TB",
            "PB", "Kbps", "Mbps", "Gbps", "GHz", "MHz", "kHz", "KiB", "MiB", "GiB", "TiB", "UTC", "GMT", "USD", "EUR",
            "GBP", "Yes", "No", "Note", "Please", "Thanks");
    private static final Map<String, Unit> UNITS = Map.ofEntries(
            Map.entry("minute", new Unit(Dimension.MINUTES, 1)), Map.entry("min", new Unit(Dimension.MINUTES, 1)),
            Map.entry("hour", new Unit(Dimension.MINUTES, 60)), Map.entry("hr", new Unit(Dimension.MINUTES, 60)),
            Map.entry("day", new Unit(Dimension.MINUTES, 1_440)), Map.entry("week", new Unit(Dimension.MINUTES, 10_080)),
            Map.entry("fortnight", new Unit(Dimension.MINUTES, 20_160)), Map.entry("month", new Unit(Dimension.MONTHS, 1)),
            Map.entry("year", new Unit(Dimension.MONTHS, 12)), Map.entry("yr", new Unit(Dimension.MONTHS, 12)),
            Map.entry("%", new Unit(Dimension.SHARE, 0.01)), Map.entry("percent", new Unit(Dimension.SHARE, 0.01)),
            Map.entry("per cent", new Unit(Dimension.SHARE, 0.01)));
    /** The unit right after a quantity: "2 weeks", "30%", "a 14-day window", "half an hour". */
    private static final Pattern UNIT = Pattern.compile(
            "(?i)^(?:\\s*-\\s*|\\s*)(?<article>an?\\s+)?(?:(?:business|working|calendar)\\s+)?(?<unit>minute|min|hour|hr|day|week|fortnight|month|year|yr"
                    + "|%|percent|per cent)(?:s\\b|\\b|(?<=%))");
    /**
     * "within a week", "for one year": a single unit after a word that makes it a length of time, not a rate ("$5 a
     * month") nor a bound ("less than a year").
     */
    private static final Pattern ONE_UNIT = Pattern.compile(
            "(?i)\\b(?:within|in|for|after|takes?|lasts?)\\s+(?<one>an?|one)\\s+"
                    + "(?<unit>minute|hour|day|week|fortnight|month|year)\\b");
    /** "a third of", "two thirds", "three quarters": shares a document may give as a percentage. */
    private static final Pattern FRACTION = Pattern.compile(
            "(?i)\\b(?<count>a|one|two|three|four)[\\s-]+(?<part>third|quarter|fifth)(?:(?<plural>s)\\b|\\b(?=\\s+of\\b))");
    private static final Map<String, Integer> PARTS = Map.of("third", 3, "quarter", 4, "fifth", 5);
    private static final List<String> DAYS = List.of("monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday");
    /** Weekday spans that stand for the days in them: "weekends", "weekdays", "Monday to Friday", "Mon-Sat". */
    private static final Pattern DAY_SPAN = Pattern.compile(
            "\\b(?<weekend>[Ww]eekends?)\\b|\\b(?<weekdays>[Ww]eekdays)\\b"
                    + "|\\b(?<from>Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday|s?day)?s?\\.?"
                    + "\\s*(?:to|through|thru|until|till|-|–|—)\\s*"
                    + "(?<to>Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday|s?day)?s?\\b\\.?");

    private record Unit(Dimension dimension, double size) {
    }

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
        Matcher span = DAY_SPAN.matcher(rest);
        while (span.find()) {
            for (String day : days(span)) {
                facts.add(new Fact(Kind.CALENDAR, day, span.group()));
            }
            blank(rest, span.start(), span.end());
        }
        Matcher calendar = CALENDAR.matcher(rest);
        while (calendar.find()) {
            String value = calendar.group("month") != null
                    ? MONTHS.get(calendar.group("month").substring(0, 3).toLowerCase(Locale.ROOT))
                    : calendar.group("day").toLowerCase(Locale.ROOT);
            facts.add(new Fact(Kind.CALENDAR, value, calendar.group()));
            blank(rest, calendar.start(), calendar.end());
        }
        Matcher fraction = FRACTION.matcher(rest);
        while (fraction.find()) {
            String count = fraction.group("count").toLowerCase(Locale.ROOT);
            BigDecimal share = BigDecimal.valueOf(count.startsWith("a") ? 1 : NUMBER_WORDS.get(count))
                    .divide(BigDecimal.valueOf(PARTS.get(fraction.group("part").toLowerCase(Locale.ROOT))), 4,
                            RoundingMode.HALF_EVEN);
            facts.add(new Fact(Kind.QUANTITY, share.stripTrailingZeros().toPlainString(), fraction.group(),
                    new Measure(Dimension.SHARE, share)));
            blank(rest, fraction.start(), fraction.end());
        }
        Matcher one = ONE_UNIT.matcher(rest);
        while (one.find()) {
            Unit unit = UNITS.get(one.group("unit").toLowerCase(Locale.ROOT));
            facts.add(new Fact(Kind.QUANTITY, "1", one.group().substring(one.start("one") - one.start()),
                    new Measure(unit.dimension(), BigDecimal.valueOf(unit.size()))));
            blank(rest, one.start("one"), one.end());
        }
        Matcher digits = DIGITS.matcher(rest);
        while (digits.find()) {
            BigDecimal value = new BigDecimal(digits.group("number").replace(",", ""));
            facts.add(measured(quantity(value, digits.group("scale"), digits.group("cents"), digits.group()),
                    rest, digits.end()));
            blank(rest, digits.start(), digits.end());
        }
        Matcher words = WORDS.matcher(rest);
        while (words.find()) {
            BigDecimal value = wordsValue(words.group("words"));
            if (value != null) {
                facts.add(measured(quantity(value, null, words.group("cents"), words.group()), rest, words.end()));
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
        return facts.stream().anyMatch(fact::statedBy);
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
     * The quantity with its size in a common unit when a unit follows it ("2 weeks", "30%", "half an hour"); a bare
     * share below one ("half") is a share of a whole.
     */
    private static Fact measured(Fact quantity, CharSequence text, int end) {
        BigDecimal value = new BigDecimal(quantity.value());
        Matcher unit = UNIT.matcher(text.subSequence(end, Math.min(text.length(), end + 24)));
        if (unit.find() && (unit.group("article") == null || value.compareTo(BigDecimal.ONE) < 0)) {
            Unit known = UNITS.get(unit.group("unit").toLowerCase(Locale.ROOT));
            return new Fact(quantity.kind(), quantity.value(), quantity.shown(),
                    new Measure(known.dimension(), value.multiply(BigDecimal.valueOf(known.size()))
                            .stripTrailingZeros()));
        }
        if (value.signum() > 0 && value.compareTo(BigDecimal.ONE) < 0 && !quantity.shown().matches(".*\\d.*")) {
            return new Fact(quantity.kind(), quantity.value(), quantity.shown(), new Measure(Dimension.SHARE, value));
        }
        return quantity;
    }

    /** The weekdays a span stands for, in order; a range wraps past Sunday ("Fri-Mon"). */
    private static List<String> days(Matcher span) {
        if (span.group("weekend") != null) {
            return DAYS.subList(5, 7);
        }
        if (span.group("weekdays") != null) {
            return DAYS.subList(0, 5);
        }
        int from = dayIndex(span.group("from"));
        int to = dayIndex(span.group("to"));
        List<String> days = new ArrayList<>();
        for (int day = from; ; day = (day + 1) % DAYS.size()) {
            days.add(DAYS.get(day));
            if (day == to) {
                return days;
            }
        }
    }

    private static int dayIndex(String abbreviation) {
        String prefix = abbreviation.toLowerCase(Locale.ROOT);
        for (int i = 0; i < DAYS.size(); i++) {
            if (DAYS.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new IllegalArgumentException(abbreviation);
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
        if (time.group("noon") != null) {
            return time.group("noon").equalsIgnoreCase("midnight") ? "0:00" : "12:00";
        }
        if (time.group("hourOfDay") != null) {
            // "8 in the morning" is 8:00, "2 in the afternoon" 14:00, "11 at night" 23:00 (but "2 at night" 2:00)
            String shown = time.group("hourOfDay").toLowerCase(Locale.ROOT);
            int hour = (Character.isDigit(shown.charAt(0)) ? Integer.parseInt(shown) : NUMBER_WORDS.get(shown)) % 12;
            boolean later = time.group("part") != null ? !time.group("part").equalsIgnoreCase("morning") : hour >= 6;
            String minute = time.group("minuteOfDay") == null ? "00" : time.group("minuteOfDay");
            return (later ? hour + 12 : hour) + ":" + minute;
        }
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
            if (endsSentence(text, token.end()) || opensPhrase(text, token.end())) {
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

    /** A colon, an opening bracket or quote, a dash or a line break after the word: what follows may begin with a capital. */
    private static boolean opensPhrase(String text, int end) {
        int i = end;
        while (i < text.length() && (Character.isWhitespace(text.charAt(i)) || ":;(\"“‘—–".indexOf(text.charAt(i)) >= 0)) {
            if (":(\"“‘—–\n".indexOf(text.charAt(i)) >= 0) {
                return true;
            }
            i++;
        }
        return false;
    }

    private static void flush(StringBuilder shown, StringBuilder value, List<Fact> facts) {
        if (!shown.isEmpty()) {
            facts.add(new Fact(Kind.NAME, value.toString(), shown.toString()));
            shown.setLength(0);
            value.setLength(0);
        }
    }

    private static boolean isName(String word, boolean sentenceStart) {
        if (NOT_NAMES.contains(word) || word.startsWith("I'") || word.startsWith("I’")) {
            return false;
        }
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
