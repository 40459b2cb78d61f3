package dev.tracemonitor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.quickstart.DemoTraces;
import dev.tracemonitor.quickstart.DemoTraces.DemoRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Synthetic MLflow traces for load, fast enough not to be the bottleneck: a pool of templates made by
 * {@link DemoTraces} (RAG with a retriever span, chat, tool calls, error traces) in a chosen mix, padded to a chosen
 * average size, from which each record is a copy with a fresh trace id written in place (every occurrence: the info,
 * each span, the {@code mlflow.traceRequestId} attribute). A chosen share of records are DemoTraces' malformed ones.
 * Deterministic for a seed; ids are unique per (salt, sequence number).
 */
public final class TraceCorpus {

    /**
     * @param templates      distinct traces to copy from
     * @param targetBytes    average size of a well-formed record (0: as DemoTraces makes them, about 2.4 KB)
     * @param retrieverShare share of well-formed records that are RAG traces with a retriever span
     * @param malformedShare share of all records that are malformed (to the DLQ)
     */
    public record Settings(int templates, int targetBytes, double retrieverShare, double malformedShare, long seed,
                           String experimentId) {
        /** 3.2 KB traces (the size of the Spark comparison's), 45 % with a retriever span, none malformed. */
        public static Settings defaults(String experimentId) {
            return new Settings(2048, 3200, 0.45, 0.0, 42, experimentId);
        }

        public Settings withMalformedShare(double share) {
            return new Settings(templates, targetBytes, retrieverShare, share, seed, experimentId);
        }
    }

    /** One record to publish. */
    public record Record(byte[] key, byte[] value, boolean wellFormed) {
        public String traceId() {
            return new String(key, StandardCharsets.UTF_8);
        }
    }

    private static final int ID_HEX = 32;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String FILLER = "Context retrieved for the assistant: product documentation, account notes and "
            + "previous turns of the conversation, kept with the trace for audit. ";

    private final Settings settings;
    private final List<Template> templates;
    private final List<byte[]> malformed;
    private final long salt;
    private final double averageBytes;

    private record Template(byte[] bytes, int[] idOffsets, boolean retriever) {
    }

    public TraceCorpus(Settings settings, long salt) {
        this.settings = settings;
        this.salt = salt;
        DemoTraces demo = new DemoTraces(settings.seed(), settings.experimentId(),
                System.currentTimeMillis() - 3_600_000L);
        int retrievers = (int) Math.round(settings.templates() * settings.retrieverShare());
        int others = settings.templates() - retrievers;
        List<DemoRecord> picked = new ArrayList<>();
        while (retrievers > 0 || others > 0) {
            DemoRecord r = demo.next();
            boolean rag = r.kind().equals("rag");
            if (rag && retrievers > 0) {
                retrievers--;
                picked.add(r);
            } else if (!rag && others > 0) {
                others--;
                picked.add(r);
            }
        }
        Collections.shuffle(picked, new Random(settings.seed()));
        double average = picked.stream().mapToInt(r -> unique(r.value(), r.key()).length).average().orElse(0);
        int padding = settings.targetBytes() <= 0 ? 0 : (int) Math.max(0, settings.targetBytes() - average);
        List<Template> list = new ArrayList<>();
        long total = 0;
        for (DemoRecord r : picked) {
            byte[] bytes = unique(r.value(), r.key());
            bytes = padding > 0 ? pad(bytes, padding, r.key()) : bytes;
            list.add(new Template(bytes, idOffsets(bytes, r.key()), r.kind().equals("rag")));
            total += bytes.length;
        }
        this.templates = List.copyOf(list);
        this.averageBytes = (double) total / list.size();
        List<byte[]> bad = new ArrayList<>();
        for (DemoRecord r : new DemoTraces(settings.seed(), settings.experimentId(), 0).generate(0, 12)) {
            bad.add(r.value());
        }
        this.malformed = List.copyOf(bad);
    }

    public Settings settings() {
        return settings;
    }

    /** The average size of a well-formed record, in bytes. */
    public double averageBytes() {
        return averageBytes;
    }

    /** Record number {@code sequence}: malformed with the configured probability, else a trace with a fresh id. */
    public Record record(long sequence) {
        if (settings.malformedShare() > 0 && fraction(sequence) < settings.malformedShare()) {
            byte[] key = ("bad-" + sequence).getBytes(StandardCharsets.UTF_8);
            return new Record(key, malformed.get((int) (sequence % malformed.size())), false);
        }
        Template t = templates.get((int) (sequence % templates.size()));
        byte[] value = Arrays.copyOf(t.bytes(), t.bytes().length);
        byte[] key = new byte[3 + ID_HEX];
        key[0] = 't';
        key[1] = 'r';
        key[2] = '-';
        writeHex(key, 3, salt);
        writeHex(key, 3 + 16, sequence);
        for (int offset : t.idOffsets()) {
            System.arraycopy(key, 3, value, offset, ID_HEX);
        }
        return new Record(key, value, true);
    }

    /** The trace id of record {@code sequence} (whether or not it is well-formed). */
    public String traceId(long sequence) {
        byte[] key = new byte[3 + ID_HEX];
        key[0] = 't';
        key[1] = 'r';
        key[2] = '-';
        writeHex(key, 3, salt);
        writeHex(key, 3 + 16, sequence);
        return new String(key, StandardCharsets.US_ASCII);
    }

    private static double fraction(long sequence) {
        return ((sequence * 0x9E3779B97F4A7C15L) >>> 11) / (double) (1L << 53);
    }

    private static void writeHex(byte[] out, int at, long value) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    /**
     * Makes the texts of each record its own, as in real traffic: DemoTraces draws questions and answers from a short
     * list, and Parquet's dictionary encoding would then store the request, response and span input/output columns
     * almost for free. The question and the answer (everywhere they occur: previews, span inputs and outputs) get the
     * trace id appended, which the per-record id substitution then makes unique.
     */
    private static byte[] unique(byte[] trace, String traceId) {
        try {
            JsonNode info = Json.MAPPER.readTree(trace).path("info");
            String json = new String(trace, StandardCharsets.UTF_8);
            String question = info.path("request_preview").asText(null);
            String answer = info.path("response_preview").asText(null);
            if (question != null && !question.isEmpty()) {
                json = json.replace(question, question + " (conversation " + traceId + ")");
            }
            if (answer != null && !answer.isEmpty() && !answer.equals(question)) {
                json = json.replace(answer, answer + " (ref " + traceId + ")");
            }
            return json.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds an attribute of {@code padding} characters (a JSON-encoded string, as MLflow stores them) to the root span. */
    private static byte[] pad(byte[] trace, int padding, String traceId) {
        try {
            JsonNode root = Json.MAPPER.readTree(trace);
            ObjectNode attributes = (ObjectNode) root.path("data").path("spans").get(0).path("attributes");
            int length = Math.max(0, padding - 22); // the attribute's name, quotes, escapes and comma
            StringBuilder text = new StringBuilder(length).append("session ").append(traceId).append(". ");
            while (text.length() < length) {
                text.append(FILLER);
            }
            text.setLength(length);
            attributes.put("app.context", "\"" + text + "\"");
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the 32 hex digits of the template's trace id are. */
    private static int[] idOffsets(byte[] bytes, String traceId) {
        byte[] id = traceId.getBytes(StandardCharsets.US_ASCII);
        if (id.length != 3 + ID_HEX || !traceId.startsWith("tr-")) {
            throw new IllegalStateException("unexpected trace id shape: " + traceId);
        }
        List<Integer> offsets = new ArrayList<>();
        outer:
        for (int i = 0; i <= bytes.length - id.length; i++) {
            for (int j = 0; j < id.length; j++) {
                if (bytes[i + j] != id[j]) {
                    continue outer;
                }
            }
            offsets.add(i + 3);
        }
        if (offsets.isEmpty()) {
            throw new IllegalStateException("trace id not found in its trace");
        }
        return offsets.stream().mapToInt(Integer::intValue).toArray();
    }
}
