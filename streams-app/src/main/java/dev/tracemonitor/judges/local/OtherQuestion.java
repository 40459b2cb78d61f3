package dev.tracemonitor.judges.local;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Signs that a text answers a neighbouring question rather than the one asked, which embeddings cannot see because
 * the two share nearly all their words: a text that opens by naming its task ("To upgrade your subscription, …") when
 * the request asked for another task on the same thing (cancel it), or that explains another code than the one asked
 * about (HTTP 404 for a question about 401, ENOENT for ECONNREFUSED).
 */
final class OtherQuestion {

    /** "To <task>, …" or "If you want to <task>, …" at the start of a sentence, up to the comma. */
    private static final Pattern PURPOSE = Pattern.compile(
            "^\\W*(?:to|if you (?:want|need|wish|would like|'d like) to|in order to)\\s+([^,;:]{3,80})[,;:]",
            Pattern.CASE_INSENSITIVE);
    /** Error codes, status codes and identifiers: numbers of three or more digits, or capitalised codes of five+. */
    private static final Pattern CODE = Pattern.compile("\\b(?:\\d{3,}|[A-Z][A-Z0-9_]{4,})\\b");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}'-]*");
    private static final Set<String> STOP = Set.copyOf(List.of(("a an the of to in on for at by with from and or but if is are was "
            + "were be been do does did have has had i me my we our us you your he she it its they them their this that "
            + "these those there here what which who when where why how can could should would will may might must "
            + "not no yes any some all about into than then so as up out off just get new own also much many more "
            + "it's i'm let's").split(" ")));
    /**
     * Verbs of the same task, so that "turn on 2FA" is the task "set up 2FA" asks for while "remove a user" is not the
     * task "add a user" asks for. Each verb maps to the name of its group.
     */
    private static final Map<String, String> TASKS = tasks(
            "enable: enable enabling activate activating turn switch set setup setting configure",
            "disable: disable disabling deactivate deactivating",
            "add: add adding create creating invite inviting insert register make making",
            "remove: remove removing delete deleting erase kick",
            "cancel: cancel cancelling canceling terminate close closing unsubscribe end",
            "upgrade: upgrade upgrading", "downgrade: downgrade downgrading", "renew: renew renewing",
            "install: install installing", "uninstall: uninstall uninstalling",
            "upload: upload uploading", "download: download downloading",
            "import: import importing", "export: export exporting",
            "login: login log sign", "reset: reset resetting recover", "change: change changing update updating edit",
            "undo: undo revert reverting", "merge: merge merging join joining combine", "split: split splitting",
            "read: read reading load loading open opening", "write: write writing save saving",
            "encrypt: encrypt", "decrypt: decrypt", "increase: increase raise", "decrease: decrease lower reduce",
            "lock: lock", "unlock: unlock", "pause: pause", "resume: resume", "start: start starting",
            "stop: stop stopping");

    private OtherQuestion() {
    }

    /** The purpose clause of the text's first sentence when it names a task or thing the request does not. */
    static Optional<String> otherTask(String request, List<String> sentences) {
        if (sentences.isEmpty()) {
            return Optional.empty();
        }
        Matcher purpose = PURPOSE.matcher(Texts.plainQuotes(sentences.get(0)));
        if (!purpose.find()) {
            return Optional.empty();
        }
        Set<String> asked = terms(request);
        Set<String> named = terms(purpose.group(1));
        return named.stream().anyMatch(term -> !covered(term, asked))
                ? Optional.of(purpose.group(0).replaceAll("[,;:]$", "").strip())
                : Optional.empty();
    }

    /** A code the text explains when it never names the one the request asks about; empty otherwise. */
    static Optional<String> otherCode(String request, String text) {
        Set<String> asked = codes(request);
        if (asked.isEmpty()) {
            return Optional.empty();
        }
        Set<String> named = codes(text);
        if (named.stream().anyMatch(asked::contains)) {
            return Optional.empty();
        }
        return named.stream().filter(code -> asked.stream().anyMatch(a -> sameKind(a, code))).findFirst();
    }

    /**
     * The request's content words that the text also uses, in the request's order and spelling, when the text uses
     * some but not all of them: the topic the two share without what the request asks about it. Empty otherwise.
     */
    static Optional<String> sharedTopic(String request, String text) {
        Set<String> used = terms(text);
        List<String> shared = new java.util.ArrayList<>();
        boolean missing = false;
        Matcher words = WORD.matcher(Texts.plainQuotes(request));
        while (words.find()) {
            Set<String> term = terms(words.group());
            if (term.isEmpty()) {
                continue;
            }
            if (covered(term.iterator().next(), used)) {
                shared.add(words.group());
            } else {
                missing = true;
            }
        }
        return missing && !shared.isEmpty() ? Optional.of(String.join(" ", shared)) : Optional.empty();
    }

    /** Content words, lower-cased, lightly stemmed, task verbs replaced by their group. */
    static Set<String> terms(String text) {
        Set<String> terms = new LinkedHashSet<>();
        Matcher words = WORD.matcher(Texts.plainQuotes(text).toLowerCase(Locale.ROOT));
        while (words.find()) {
            String word = words.group().replaceAll("'s$", "");
            if (word.length() < 2 || STOP.contains(word)) {
                continue;
            }
            String task = TASKS.get(word);
            terms.add(task != null ? "task:" + task : stem(word));
        }
        return terms;
    }

    /** A term is covered by a set when it is in it, or shares a stem of four or more letters with one of it. */
    static boolean covered(String term, Set<String> terms) {
        if (terms.contains(term)) {
            return true;
        }
        if (term.startsWith("task:") || term.length() < 4) {
            return false;
        }
        return terms.stream().anyMatch(other -> other.length() >= 4 && !other.startsWith("task:")
                && (other.startsWith(term) || term.startsWith(other)));
    }

    private static String stem(String word) {
        for (String suffix : List.of("ations", "ation", "ings", "ing", "ies", "es", "ed", "ly", "s")) {
            if (word.length() > suffix.length() + 2 && word.endsWith(suffix)) {
                return word.substring(0, word.length() - suffix.length());
            }
        }
        return word;
    }

    private static Set<String> codes(String text) {
        Set<String> codes = new LinkedHashSet<>();
        Matcher matcher = CODE.matcher(text);
        while (matcher.find()) {
            codes.add(matcher.group());
        }
        return codes;
    }

    private static boolean sameKind(String a, String b) {
        return Character.isDigit(a.charAt(0)) == Character.isDigit(b.charAt(0))
                && (!Character.isDigit(a.charAt(0)) || a.length() == b.length());
    }

    private static Map<String, String> tasks(String... groups) {
        Map<String, String> tasks = new java.util.HashMap<>();
        for (String group : groups) {
            String[] parts = group.split(":\\s*");
            for (String verb : parts[1].split(" ")) {
                tasks.putIfAbsent(verb, parts[0]);
            }
        }
        return Map.copyOf(tasks);
    }
}
