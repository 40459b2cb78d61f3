package dev.tracemonitor.judges.local;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kind of answer a request asks for, read from its wording ("how much … cost", "how long", "when", "why",
 * "which … or …", a yes/no question, "how do I …"), and whether a text offers an answer of that kind. Embedding
 * similarity measures topic: "The Pro plan includes SSO" is as close to "How much does the Pro plan cost?" as the
 * price is. A response to a "how much" question that states no amount, or a "how do I" answer with no instruction,
 * does not answer, however close its topic. Checks that a retrieved passage could not fairly be held to (a passage
 * does not say "yes", nor argue a choice) do not apply to chunks.
 */
enum ExpectedAnswer {

    PRICE("a price", true,
            "\\bhow much (?:does|do|did|will|would|is|are|should)\\b[^?]*\\b(?:cost|charge|pay|fee)"
                    + "|\\bwhat(?:'s| is| are| does)? (?:the )?(?:price|cost|fee|fees|charge)s?\\b"
                    + "|\\bhow much (?:money|is it|are they)\\b",
            "[$€£¥]\\s?\\d|\\b\\d[\\d.,]*\\s?(?:dollars?|euros?|pounds?|usd|eur|gbp|cents?|p)\\b"
                    + "|\\b(?:free|no charge|no cost|at no extra cost|costs? nothing)\\b"),
    DURATION("a length of time", true,
            "\\bhow long\\b|\\bhow many (?:seconds|minutes|hours|days|nights|weeks|months|years)\\b"
                    + "|\\bwhat(?:'s| is) the (?:\\w+ ){0,2}(?:window|period|duration|turnaround|wait(?:ing)? time"
                    + "|lead time|processing time)\\b",
            Numbers.AMOUNT + "\\s*(?:-|–|to|or)?\\s*(?:" + Numbers.AMOUNT + ")?\\s*(?:business |working |calendar )?"
                    + "(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|fortnights?|months?"
                    + "|years?|km|kilometres?|kilometers?|miles?|metres?|meters?|feet|ft)\\b"
                    + "|\\b(?:an?|one|half an?) (?:second|minute|hour|day|night|week|fortnight|month|year)\\b"
                    + "|\\b(?:overnight|same[- ]day|next[- ]day)\\b"),
    TIME("a time or date", true,
            "^\\W*when\\b|\\bwhat time\\b|\\bwhat (?:date|day|year)\\b|\\bwhich (?:date|day|year)\\b",
            "\\b\\d{1,2}[:.]\\d{2}\\b|\\b\\d{1,2}\\s?(?:am|pm|a\\.m\\.|p\\.m\\.)|\\b(?:monday|tuesday|wednesday|thursday"
                    + "|friday|saturday|sunday|weekdays?|weekends?|january|february|march|april|may|june|july|august"
                    + "|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|today"
                    + "|tomorrow|tonight|yesterday|noon|midnight|morning|afternoon|evening|spring|summer|autumn"
                    + "|winter|dawn|dusk)\\b|\\b(?:1[5-9]|20)\\d{2}\\b|\\b\\d{1,2}(?:st|nd|rd|th)\\b"
                    + "|\\b(?:within|after|before|in) (?:\\w+ )?(?:minutes?|hours?|days?|weeks?|months?"
                    + "|years?)\\b|\\b(?:now|immediately|right away|soon|later|never|always|anytime|any time)\\b"),
    QUANTITY("a number or amount", true,
            "\\bhow (?:many|much|big|large|small|far|fast|high|tall|old|heavy|often|deep|wide)\\b"
                    + "|\\bwhat(?:'s| is| are) (?:the|a) (?:\\w+ )?(?:maximum|minimum|max|min|limit|size|number"
                    + "|amount|rate|percentage|age|speed|dose|dosage|capacity|quota)\\b"
                    + "|\\b(?:maximum|minimum|max|min)\\b",
            Numbers.AMOUNT + "|\\b(?:unlimited|no limit|none|once|twice|several|a few|dozens?|hundreds?"
                    + "|thousands?|millions?)\\b"),
    REASON("a reason", false,
            "^\\W*why\\b",
            "\\b(?:because|due to|caused?|causes|causing|since|as a result|result of|reasons?|so that|likely"
                    + "|probably|usually|often|typically|if|when|means?|means that|comes? from|which is why|that's why"
                    + "|that is why|thanks to|leads? to|results? in)\\b|,\\s*so\\b"),
    CHOICE("a comparison or a recommendation", false,
            "\\bwhich\\b[^?]*\\bor\\b|\\b(?:better|worse|best)\\b[^?]*\\bor\\b"
                    + "|\\bshould (?:i|we) (?:use|choose|pick|get|buy|go with|take)\\b[^?]*\\bor\\b|\\bvs\\.?\\b"
                    + "|\\bversus\\b",
            "\\b(?:depends?|depending|better|best|worse|prefer|preferable|suits?|recommend(?:ed)?|choose|go with"
                    + "|pick|than|rather|instead|whereas|unless|if you|cheaper|faster|safer|pros?|cons?|quicker|slower"
                    + "|easier|harder|simpler|more|less|fewer|lighter|heavier|smaller|larger|bigger|stronger|weaker)\\b"),
    YES_NO("a yes or a no", false,
            "^\\W*(?:(?:can|could|may|might|will|would|shall|should|must) (?!you\\b)\\w+"
                    + "|(?:do|does|did|is|are|was|were|am|has|have|had|isn't|aren't|doesn't|don't|won't|can't) \\w+)",
            "^\\W*(?:yes|yeah|yep|no|nope|sure|certainly|absolutely|of course|definitely|indeed|correct"
                    + "|unfortunately|sadly|not|only|never|always|it depends|depends)\\b"
                    + "|^\\W*(?:you|we|it|they|there|this|that|he|she|i|dogs?|pets?|students?|children|kids|guests?)"
                    + " (?:\\w+ )?(?:can|can't|cannot|could|do|don't|does|doesn't|is|isn't|are|aren't|will|won't"
                    + "|may|must|need|needn't|should|shouldn't|have to|has to|get|qualify|are entitled|is entitled)\\b"),
    INSTRUCTIONS("instructions", true,
            "\\bhow (?:do|can|should|would|could|might|shall) (?:i|we|you|one)\\b|\\bhow to\\b"
                    + "|\\bwhat(?:'s| is) the (?:best |easiest |quickest |fastest |right |correct )?way to\\b"
                    + "|\\bsteps (?:to|for)\\b",
            null);

    /** Whole-sentence cues that a text instructs: code, a UI path, an imperative verb, "you can …". */
    private static final Pattern CODE = Pattern.compile(
            "`|\\b\\w+\\([^)]*\\)|(?:^|\\s)--?[a-z][\\w-]*|\\b\\w+\\.\\w+\\(|\\b\\w+::|\\w+~\\d|\\s>\\s|\\b\\w+=\\w");
    private static final Pattern YOU_CAN = Pattern.compile(
            "\\byou (?:can|could|can also|may|should|must|need to|have to|'ll need to|will need to|'ll want to|just)\\b"
                    + "|\\b(?:make sure|be sure to|try|remember to|don't forget to)\\b"
                    + "|\\b(?:can|must|should|may|need to|has to|have to) be (?:\\w+ )?\\w+(?:ed|en|wn|ne|up|in)\\b",
            Pattern.CASE_INSENSITIVE);
    /** A leading clause before the instruction: "As an admin, …", "If you …, …", "To reset it, …", "First, …". */
    private static final Pattern LEADING_CLAUSE = Pattern.compile(
            "^(?:(?:as|in|on|under|from|once|after|before|if|when|to|for|with|first|then|next|finally|now"
                    + "|alternatively|otherwise)\\b[^,:;]{0,80}[,:;]\\s*)?(?:(?:first|then|next|finally|just|simply|now"
                    + "|also|always|and)\\s+)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern IMPERATIVE = Pattern.compile(
            "^(?:use|run|go|click|tap|open|select|choose|pick|set|add|enter|type|press|install|call|create|take"
                    + "|turn|follow|make|put|check|visit|contact|email|submit|send|apply|fill|sign|log|navigate|head"
                    + "|scroll|find|copy|paste|drag|remove|delete|replace|restart|reboot|update|upgrade|enable|disable"
                    + "|switch|change|edit|save|download|upload|try|ask|wait|allow|avoid|keep|start|stop|mix|boil|heat"
                    + "|wash|rinse|scrape|shut|unscrew|screw|swap|pull|push|write|import|export|pass|give|configure"
                    + "|define|declare|wrap|place|cut|hold|drink|eat|see|read|refer|book|request|bring|show|let|don't"
                    + "|do|never|be|leave|link|connect|plug|unplug|rotate|generate|deactivate|activate|verify|confirm"
                    + "|tell|speak|talk|get|buy|order|pay|file|lodge|report|register|join|merge|sort|filter|group"
                    + "|join|drop|insert|assign|grant|invite|lower|raise|increase|reduce|rest|ice|cover|clean|apply"
                    + "|attach|fetch|pull|commit|reset|revert|undo|rename|move|(?-i:sudo|git|npm|pip|mvn|docker|kubectl))\\b"
                    + "|^(?!(?:is|are|was|were|in|on|at|of|for|from|with|by|since|because|all|both|each|most|some"
                    + "|many|when|while|if|as|to|and|but|or|so|it|this|that|there|here|we|they|he|she|you|i|not)\\b)"
                    + "[a-z]+ (?:the|a|an|your|my|it|them|this|that|these|those|up|out|off|down|over|back|through)\\b",
            Pattern.CASE_INSENSITIVE);

    /** "Is it safe …", "Are they waterproof …": the state a yes/no question asks about. */
    private static final Pattern STATE = Pattern.compile(
            "^\\W*(?:is|are)\\s+(?:it|this|that|they|these|those)\\s+(?:\\w+ly\\s+)?(?<state>\\p{L}{3,})\\b",
            Pattern.CASE_INSENSITIVE);

    private final String description;
    private final boolean appliesToPassages;
    private final Pattern asked;
    private final Pattern offered;

    ExpectedAnswer(String description, boolean appliesToPassages, String asked, String offered) {
        this.description = description;
        this.appliesToPassages = appliesToPassages;
        this.asked = Pattern.compile(asked, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        this.offered = offered == null ? null : Pattern.compile(offered, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** What the request asks for, the first kind in declaration order whose wording it uses; empty for none. */
    static Optional<ExpectedAnswer> of(String request) {
        String text = Texts.plainQuotes(request).strip();
        return Arrays.stream(values()).filter(kind -> kind.asked.matcher(text).find()).findFirst();
    }

    /** "a price", "instructions", … for rationales. */
    String description() {
        return description;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether offering this kind of answer is offering a value (an amount, a duration, a time, a number): a text that
     * gives the price or the duration asked for answers the request, however close it also is to the shared topic.
     */
    boolean isValue() {
        return this == PRICE || this == DURATION || this == TIME || this == QUANTITY;
    }

    /** Whether a retrieved chunk, which informs rather than replies, can be held to this kind of answer. */
    boolean appliesToPassages() {
        return appliesToPassages;
    }

    /**
     * Whether the text offers an answer of this kind to the request: {@link #offeredBy(String, List)}, or for "is it
     * safe …?" a first sentence that says whether it is ("… is considered safe", "it is not safe").
     */
    boolean offeredBy(String request, String text, List<String> sentences) {
        if (offeredBy(text, sentences)) {
            return true;
        }
        Matcher state = STATE.matcher(Texts.plainQuotes(request));
        if (this != YES_NO || sentences.isEmpty() || !state.find()) {
            return false;
        }
        return Pattern.compile("\\b(?:is|are|isn't|aren't)\\s+(?:\\w+\\s+)?" + Pattern.quote(state.group("state")) + "\\b",
                Pattern.CASE_INSENSITIVE).matcher(Texts.plainQuotes(sentences.get(0))).find();
    }

    /** Whether the text (its sentences, already split) offers an answer of this kind. */
    boolean offeredBy(String text, List<String> sentences) {
        String plain = Texts.plainQuotes(text);
        return switch (this) {
            case INSTRUCTIONS -> CODE.matcher(plain).find() || YOU_CAN.matcher(plain).find()
                    || sentences.stream().map(Texts::plainQuotes).anyMatch(ExpectedAnswer::instructs);
            case YES_NO -> sentences.stream().limit(2).map(Texts::plainQuotes)
                    .anyMatch(sentence -> offered.matcher(sentence).find());
            default -> offered.matcher(plain).find();
        };
    }

    private static boolean instructs(String sentence) {
        Matcher clause = LEADING_CLAUSE.matcher(sentence.strip());
        return IMPERATIVE.matcher(clause.lookingAt() ? sentence.strip().substring(clause.end()) : sentence.strip())
                .lookingAt();
    }

    /** Amounts: digits, or number words. */
    private static final class Numbers {
        static final String AMOUNT = "(?:\\b\\d[\\d.,]*\\s?%?|\\b(?:one|two|three|four|five|six|seven|eight|nine|ten"
                + "|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred|a couple of|a few|several"
                + "|half)\\b)";
    }
}
