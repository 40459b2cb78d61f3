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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * groundedness without a language model: is what the response says backed by what the retriever returned? The
 * response is split into sentences; a sentence (of at least {@code minSentenceWords} words, not conversational filler)
 * is supported when its best cosine similarity to the span's evidence (every chunk, read in windows, and each chunk
 * sentence on its own) reaches the threshold and every number of two or more digits in it also appears in the
 * documents. One verdict per top-level retriever span: "yes" when every checked sentence is supported. Embeddings see
 * topic and wording, not negation or swapped details; the number rule catches the most common invented details.
 */
final class GroundednessJudge implements ApplicableJudge {

    private static final Pattern NUMBER = Pattern.compile(
            "(?<![\\p{L}\\d.,])(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?)");
    private static final int MAX_LISTED = 5;
    private static final int QUOTE_CHARS = 100;

    private record Claim(String sentence, String text, Set<String> numbers) {
    }

    private record Evidence(List<String> texts, Set<String> numbers) {
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
                .map(sentence -> new Claim(sentence, windows.head(sentence), numbers(sentence)))
                .toList();
        List<String> texts = new ArrayList<>();
        claims.forEach(claim -> texts.add(claim.text()));
        List<Evidence> evidence = new ArrayList<>();
        for (RetrieverCall call : calls) {
            Evidence forCall = evidence(call, windows);
            evidence.add(forCall);
            texts.addAll(forCall.texts());
        }
        List<Embedding> embedded = embedder.embed(texts);
        Map<String, Embedding> embeddings = new HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            embeddings.put(texts.get(i), embedded.get(i));
        }

        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            verdicts.add(judge(calls.get(i), evidence.get(i), claims, statements.size(), embeddings));
        }
        return JudgeOutcome.of(verdicts);
    }

    private Evidence evidence(RetrieverCall call, TextWindows windows) {
        List<String> texts = new ArrayList<>();
        Set<String> numbers = new LinkedHashSet<>();
        List<String> sentences = new ArrayList<>();
        for (RetrievedDocument document : call.documents()) {
            if (Texts.isBlank(document.pageContent())) {
                continue;
            }
            texts.addAll(windows.split(document.pageContent(), ChunkRelevanceJudge.MAX_WINDOWS_PER_CHUNK));
            numbers.addAll(numbers(document.pageContent()));
            List<String> chunkSentences = Sentences.split(document.pageContent());
            if (chunkSentences.size() > 1) {
                sentences.addAll(chunkSentences);
            }
        }
        sentences.stream()
                .limit(maxEvidenceSentences)
                .map(windows::head)
                .forEach(texts::add);
        return new Evidence(texts, numbers);
    }

    private Verdict judge(RetrieverCall call, Evidence evidence, List<Claim> claims, int statements,
                          Map<String, Embedding> embeddings) {
        if (evidence.texts().isEmpty()) {
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
            Embedding claimEmbedding = embeddings.get(claim.text());
            double best = Double.NEGATIVE_INFINITY;
            for (String text : evidence.texts()) {
                best = Math.max(best, SentenceEmbedder.similarity(claimEmbedding, embeddings.get(text)));
            }
            lowest = Math.min(lowest, best);
            List<String> missingNumbers = claim.numbers().stream()
                    .filter(number -> !evidence.numbers().contains(number))
                    .toList();
            if (best < threshold) {
                unsupported.add(Texts.quote(claim.sentence(), QUOTE_CHARS) + " (best similarity "
                        + Texts.similarity(best) + ")");
            } else if (!missingNumbers.isEmpty()) {
                unsupported.add(Texts.quote(claim.sentence(), QUOTE_CHARS) + " (" + String.join(", ", missingNumbers)
                        + " not in the documents)");
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
                    + ", threshold " + Texts.similarity(threshold) + ")." + coverage;
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

    /** Numbers of two or more digits, thousands separators removed: single digits are too often spelled out. */
    static Set<String> numbers(String text) {
        Set<String> numbers = new LinkedHashSet<>();
        Matcher matcher = NUMBER.matcher(text);
        while (matcher.find()) {
            String number = matcher.group().replace(",", "");
            if (number.chars().filter(Character::isDigit).count() >= 2) {
                numbers.add(number);
            }
        }
        return numbers;
    }
}
