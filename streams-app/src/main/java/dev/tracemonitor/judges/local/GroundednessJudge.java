package dev.tracemonitor.judges.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.ApplicableJudge;
import dev.tracemonitor.judges.JudgeInputs;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.RetrievedDocument;
import dev.tracemonitor.model.RetrieverCall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * groundedness without a language model, claim by claim: is what the response says backed by what the retriever
 * returned? The response is split into sentences; a sentence (of at least {@code minSentenceWords} words, not
 * conversational filler) is a claim. A claim is supported when
 * <ul>
 * <li>its best cosine similarity to the span's evidence (every chunk, read in windows, and each chunk sentence on its
 * own) reaches the threshold: the documents are about what it says;</li>
 * <li>every name in it (capitalised words, acronyms, identifiers) is one the documents use;</li>
 * <li>its quantities, clock times, months and weekdays ({@link ClaimFacts}, "two" equal to "2") are found in the
 * document of its best-matching sentence or in a sentence nearly as close (within {@value #BINDING_MARGIN}): a date
 * or number that the documents give for something else does not ground it, nor a weekday or month that its document
 * names only with the other polarity ("open on Saturdays" against "closed on weekends");</li>
 * <li>it does not negate what its best-matching single sentence affirms, or the reverse ({@link Polarity}); when the
 * claim has several clauses, each clause is held to its own best-matching sentence before it is called negated.</li>
 * </ul>
 * One verdict per top-level retriever span: "yes" when every checked sentence is supported, otherwise "no" with the
 * unsupported claims quoted and what is missing ("the answer says five; the closest passage … says two").
 * Embeddings see topic and wording; these checks catch swapped details and negations, not every paraphrased
 * contradiction or added claim.
 */
final class GroundednessJudge implements ApplicableJudge {

    /**
     * Sentences this close to the best similarity are ties, settled by the content words they share with the claim
     * ("amoxicillin is effective against the flu" belongs with "it is not effective against … flu", which embeds
     * between 0.05 and 0.10 below the best-matching sentence; dev).
     */
    static final double TIE_MARGIN = 0.10;
    /** How far below the best-matching sentence another sentence may be and still ground a claim's details (dev). */
    static final double BINDING_MARGIN = 0.10;
    private static final Set<ClaimFacts.Kind> BOUND_KINDS = EnumSet.of(ClaimFacts.Kind.QUANTITY,
            ClaimFacts.Kind.TIME, ClaimFacts.Kind.CALENDAR);
    private static final int MAX_LISTED = 5;
    private static final int QUOTE_CHARS = 100;

    private record Claim(String sentence, String text, ClaimFacts facts) {
    }

    /** A text embedded as evidence: a window of a document or one of its sentences, with its details. */
    private record Passage(String text, int document, boolean sentence, ClaimFacts facts, Set<String> words) {
        Passage(String text, int document, boolean sentence) {
            this(text, document, sentence, ClaimFacts.of(text), PassageWords.content(text));
        }
    }

    private record Evidence(List<Passage> passages, List<ClaimFacts> documents, ClaimFacts all, PassageWords words) {
    }

    private final SentenceEmbedder embedder;
    private final double threshold;
    private final int minSentenceWords;
    private final int maxSentences;
    private final int maxEvidenceSentences;

    GroundednessJudge(SentenceEmbedder embedder, LocalJudgeSettings settings) {
        this.embedder = embedder;
        this.threshold = settings.groundednessThreshold();
        this.minSentenceWords = settings.minSentenceWords();
        this.maxSentences = settings.maxResponseSentences();
        this.maxEvidenceSentences = settings.maxEvidenceSentences();
    }

    @Override
    public AssessmentSource source() {
        return LocalJudgeBackend.source(name());
    }

    @Override
    public BuiltinJudge kind() {
        return BuiltinJudge.GROUNDEDNESS;
    }

    @Override
    public JudgeOutcome judge(JudgeInputs inputs) {
        List<RetrieverCall> calls = inputs.retrievals();
        List<String> statements = Sentences.split(inputs.response()).stream()
                .filter(sentence -> Sentences.wordCount(sentence) >= minSentenceWords && !Sentences.isFiller(sentence))
                .toList();
        if (statements.isEmpty()) {
            return JudgeOutcome.notApplicable("the response has no statement to check (no sentence of at least "
                    + minSentenceWords + " words that is not conversational filler)");
        }
        TextWindows windows = embedder.windows();
        List<Claim> claims = statements.stream()
                .limit(maxSentences)
                .map(sentence -> new Claim(sentence, windows.head(sentence), ClaimFacts.of(sentence)))
                .toList();
        List<String> texts = new ArrayList<>();
        claims.forEach(claim -> texts.add(claim.text()));
        List<Evidence> evidence = new ArrayList<>();
        for (RetrieverCall call : calls) {
            Evidence forCall = evidence(call, windows);
            evidence.add(forCall);
            forCall.passages().forEach(passage -> texts.add(passage.text()));
        }
        Map<String, Embedding> embeddings = embeddings(texts);

        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            verdicts.add(judge(calls.get(i), evidence.get(i), claims, statements.size(), embeddings));
        }
        return JudgeOutcome.of(verdicts);
    }

    private Map<String, Embedding> embeddings(List<String> texts) {
        List<Embedding> embedded = embedder.embed(texts);
        Map<String, Embedding> embeddings = new HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            embeddings.put(texts.get(i), embedded.get(i));
        }
        return embeddings;
    }

    private Evidence evidence(RetrieverCall call, TextWindows windows) {
        List<Passage> passages = new ArrayList<>();
        List<ClaimFacts> documents = new ArrayList<>();
        List<ClaimFacts.Fact> all = new ArrayList<>();
        List<String> contents = new ArrayList<>();
        int sentenceBudget = maxEvidenceSentences;
        for (RetrievedDocument document : call.documents()) {
            if (Texts.isBlank(document.pageContent())) {
                continue;
            }
            int index = documents.size();
            String content = document.pageContent();
            ClaimFacts facts = ClaimFacts.of(content);
            documents.add(facts);
            all.addAll(facts.facts());
            contents.add(content);
            List<String> sentences = Sentences.split(content);
            for (String window : windows.split(content, ChunkRelevanceJudge.MAX_WINDOWS_PER_CHUNK)) {
                passages.add(new Passage(window, index, sentences.size() == 1));
            }
            if (sentences.size() > 1) {
                for (String sentence : sentences.subList(0, Math.min(sentences.size(), Math.max(sentenceBudget, 0)))) {
                    passages.add(new Passage(windows.head(sentence), index, true));
                }
                sentenceBudget -= sentences.size();
            }
        }
        return new Evidence(passages, documents, new ClaimFacts(all), new PassageWords(contents));
    }

    private Verdict judge(RetrieverCall call, Evidence evidence, List<Claim> claims, int statements,
                          Map<String, Embedding> embeddings) {
        if (evidence.passages().isEmpty()) {
            return new Verdict(name(), call.spanId(), "no", null,
                    "The retriever span returned no document text, so nothing in the response is grounded in it.",
                    Map.of("checked_sentences", Integer.toString(claims.size()),
                            "unsupported_sentences", Integer.toString(claims.size()),
                            "threshold", Texts.number(threshold)));
        }
        List<String> unsupported = new ArrayList<>();
        double lowestSupported = Double.POSITIVE_INFINITY;
        double lowest = Double.POSITIVE_INFINITY;
        for (Claim claim : claims) {
            double[] similarities = similarities(embeddings.get(claim.text()), evidence.passages(), embeddings);
            double best = Arrays.stream(similarities).max().orElse(Double.NEGATIVE_INFINITY);
            lowest = Math.min(lowest, best);
            String problem = best < threshold
                    ? "best similarity " + Texts.similarity(best)
                    : problem(claim, evidence, similarities, embeddings);
            if (problem != null) {
                unsupported.add(Texts.quote(claim.sentence(), QUOTE_CHARS) + " (" + problem + ")");
            } else {
                lowestSupported = Math.min(lowestSupported, best);
            }
        }
        String coverage = claims.size() < statements
                ? " Only the first " + claims.size() + " of " + statements + " sentences were checked."
                : "";
        String rationale;
        if (unsupported.isEmpty()) {
            rationale = "All " + claims.size() + " checked response sentences are supported by the documents of this "
                    + "retriever span (lowest best similarity " + Texts.similarity(lowestSupported)
                    + ", threshold " + Texts.similarity(threshold) + "; their numbers, dates, names and negations "
                    + "agree with the closest passages)." + coverage;
        } else {
            String listed = String.join("; ", unsupported.subList(0, Math.min(MAX_LISTED, unsupported.size())));
            String more = unsupported.size() > MAX_LISTED
                    ? "; and " + (unsupported.size() - MAX_LISTED) + " more"
                    : "";
            rationale = unsupported.size() + " of " + claims.size() + " checked response sentences are not supported "
                    + "by the documents of this retriever span (similarity threshold " + Texts.similarity(threshold)
                    + "): " + listed + more + "." + coverage;
        }
        return new Verdict(name(), call.spanId(), unsupported.isEmpty() ? "yes" : "no", null, rationale,
                Map.of("checked_sentences", Integer.toString(claims.size()),
                        "unsupported_sentences", Integer.toString(unsupported.size()),
                        "lowest_similarity", Texts.number(lowest),
                        "threshold", Texts.number(threshold)));
    }

    private static double[] similarities(Embedding claim, List<Passage> passages, Map<String, Embedding> embeddings) {
        double[] similarities = new double[passages.size()];
        for (int i = 0; i < passages.size(); i++) {
            similarities[i] = SentenceEmbedder.similarity(claim, embeddings.get(passages.get(i).text()));
        }
        return similarities;
    }

    /** What the documents do not back in a claim that is on their topic, or null when they back all of it. */
    private String problem(Claim claim, Evidence evidence, double[] similarities,
                           Map<String, Embedding> embeddings) {
        List<String> unknownNames = claim.facts().of(ClaimFacts.Kind.NAME).stream()
                .filter(name -> !evidence.words().mentions(name))
                .map(ClaimFacts.Fact::shown)
                .distinct()
                .toList();
        if (!unknownNames.isEmpty()) {
            return "the answer names " + String.join(", ", unknownNames) + ", which the documents do not mention";
        }
        int closest = closest(claim.sentence(), evidence.passages(), similarities);
        Passage top = evidence.passages().get(closest);
        String details = unboundDetails(claim, evidence, similarities, closest);
        if (details != null) {
            return details;
        }
        if (top.sentence() && similarities[closest] >= threshold
                && Polarity.negativeAbout(claim.sentence(), top.text())
                != Polarity.negativeAbout(top.text(), claim.sentence())) {
            return negation(claim, top, evidence.passages(), embeddings);
        }
        return null;
    }

    /**
     * The best-matching sentence (the best-matching passage when no sentence was embedded); among sentences within
     * {@link #TIE_MARGIN} of the best, the one sharing most content words with the claim.
     */
    private static int closest(String claim, List<Passage> passages, double[] similarities) {
        boolean anySentence = passages.stream().anyMatch(Passage::sentence);
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < passages.size(); i++) {
            if (!anySentence || passages.get(i).sentence()) {
                best = Math.max(best, similarities[i]);
            }
        }
        Set<String> words = PassageWords.content(claim);
        int closest = -1;
        long closestShared = -1;
        for (int i = 0; i < passages.size(); i++) {
            if ((anySentence && !passages.get(i).sentence()) || similarities[i] < best - TIE_MARGIN) {
                continue;
            }
            long shared = passages.get(i).words().stream().filter(words::contains).count();
            if (shared > closestShared || (shared == closestShared && similarities[i] > similarities[closest])) {
                closest = i;
                closestShared = shared;
            }
        }
        return closest;
    }

    /**
     * The claim's quantities, times and calendar words that neither the document of its best-matching sentence nor a
     * sentence within {@link #BINDING_MARGIN} of it holds, as a rationale; null when there are none.
     */
    private String unboundDetails(Claim claim, Evidence evidence, double[] similarities, int closest) {
        Passage top = evidence.passages().get(closest);
        List<ClaimFacts> scope = new ArrayList<>();
        scope.add(evidence.documents().get(top.document()));
        for (int i = 0; i < similarities.length; i++) {
            if (evidence.passages().get(i).sentence() && similarities[i] >= similarities[closest] - BINDING_MARGIN) {
                scope.add(evidence.passages().get(i).facts());
            }
        }
        List<ClaimFacts.Fact> missing = claim.facts().facts().stream()
                .filter(fact -> BOUND_KINDS.contains(fact.kind()))
                .filter(fact -> scope.stream().noneMatch(facts -> facts.contains(fact)))
                .toList();
        if (missing.isEmpty()) {
            return oppositeDetails(claim, evidence, top);
        }
        String said = missing.stream().map(ClaimFacts.Fact::shown).distinct().collect(Collectors.joining(", "));
        String nowhere = missing.stream().noneMatch(fact -> evidence.all().contains(fact))
                ? ", which is not in the documents"
                : "";
        String context = missing.stream().map(ClaimFacts.Fact::kind).distinct()
                .map(kind -> top.facts().shown(kind))
                .filter(shown -> !shown.isEmpty())
                .collect(Collectors.joining(", "));
        return "the answer says " + said + nowhere + "; the closest passage, " + Texts.quote(top.text(), QUOTE_CHARS)
                + ", says " + (context.isEmpty() ? "no such detail" : context);
    }

    /**
     * A weekday or month of the claim that the document of its best-matching sentence names only in clauses of the
     * other polarity than the claim's clause naming it ("open on Saturdays" where the document says "open Monday to
     * Friday. Closed on weekends."), as a rationale; null when there is none. Quantities are left out: "no more than
     * 3" states a number as much as "up to 3" does.
     */
    private static String oppositeDetails(Claim claim, Evidence evidence, Passage top) {
        for (ClaimFacts.Fact fact : claim.facts().of(ClaimFacts.Kind.CALENDAR)) {
            List<Passage> stating = evidence.passages().stream()
                    .filter(passage -> passage.sentence() && passage.document() == top.document()
                            && passage.facts().contains(fact))
                    .toList();
            boolean negative = Polarity.negativeAround(claim.sentence(), fact.shown());
            if (!stating.isEmpty() && stating.stream().allMatch(passage -> passage.facts().facts().stream()
                    .filter(fact::statedBy)
                    .allMatch(known -> Polarity.negativeAround(passage.text(), known.shown()) != negative))) {
                return "the answer says " + fact.shown() + "; the documents name it only in "
                        + (negative ? "an affirmative" : "a negative") + " statement: "
                        + Texts.quote(stating.get(0).text(), QUOTE_CHARS);
            }
        }
        return null;
    }

    /**
     * The claim's polarity differs from its best-matching sentence's. A one-clause claim is then negated; a longer
     * one only if one of its clauses differs from its own best-matching sentence (the clauses are embedded only now,
     * so that agreeing claims cost nothing more).
     */
    private String negation(Claim claim, Passage top, List<Passage> passages, Map<String, Embedding> embeddings) {
        List<String> clauses = Polarity.clauses(claim.sentence(), minSentenceWords);
        if (clauses.size() <= 1) {
            return negationRationale(Polarity.negativeAbout(claim.sentence(), top.text()), top);
        }
        TextWindows windows = embedder.windows();
        List<String> heads = clauses.stream().map(windows::head).toList();
        Map<String, Embedding> clauseEmbeddings = embeddings(heads);
        for (int i = 0; i < clauses.size(); i++) {
            double[] similarities = similarities(clauseEmbeddings.get(heads.get(i)), passages, embeddings);
            int closest = closest(clauses.get(i), passages, similarities);
            String passage = passages.get(closest).text();
            boolean negative = Polarity.negativeAbout(clauses.get(i), passage);
            if (similarities[closest] >= threshold && negative != Polarity.negativeAbout(passage, clauses.get(i))) {
                return negationRationale(negative, passages.get(closest));
            }
        }
        return null;
    }

    private static String negationRationale(boolean negative, Passage passage) {
        return (negative ? "the answer denies what the closest passage states: "
                : "the answer affirms what the closest passage denies: ") + Texts.quote(passage.text(), QUOTE_CHARS);
    }
}
