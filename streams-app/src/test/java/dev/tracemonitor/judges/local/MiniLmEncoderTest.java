package dev.tracemonitor.judges.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The batched encoder must give the embeddings LangChain4j's own all-MiniLM-L6-v2 model gives, one text at a time:
 * every threshold of the local judges was calibrated on those.
 */
class MiniLmEncoderTest {

    /** Texts of very different lengths, so that one batch pads the short ones a lot. */
    private static final List<String> TEXTS = List.of(
            "Canberra.",
            "How do I undo my last git commit but keep the changes?",
            "Run git reset --soft HEAD~1. The commit is removed but your changes stay staged, so you can edit and "
                    + "commit again.",
            "Café crème, naïve résumé — 25 °C, 3½ hours; “quoted” text and emoji 🙂 stay the same.",
            "Electronics, including laptops, tablets and headphones, can be returned within 15 days of delivery in "
                    + "their original packaging. Opened software and digital downloads are non-returnable. Gift cards "
                    + "never expire and can be used online or in store; lost gift cards can be replaced with proof "
                    + "of purchase, and store credit is issued for returns without a receipt.",
            "x");

    @Test
    void batchedEmbeddingsEqualLangChain4jsOneTextAtATime() {
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        try (MiniLmEncoder encoder = new MiniLmEncoder(1)) {
            List<Embedding> batched = encoder.embed(TEXTS);

            assertThat(batched).hasSameSizeAs(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                float[] expected = reference.embed(TextSegment.from(TEXTS.get(i))).content().vector();
                assertThat(batched.get(i).vector()).as(TEXTS.get(i))
                        .containsExactly(expected, offset(1e-4f));
            }
        }
    }

    @Test
    void moreTextsThanOneBatchKeepTheirOrder() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < MiniLmEncoder.BATCH * 2 + 3; i++) {
            texts.add(i % 2 == 0 ? "Short text number " + i + "." : "A somewhat longer text, number " + i
                    + ", about shipping times to Canada and the fees that apply to it.");
        }
        try (MiniLmEncoder encoder = new MiniLmEncoder(1)) {
            List<Embedding> all = encoder.embed(texts);

            for (int i : List.of(0, 1, MiniLmEncoder.BATCH, texts.size() - 1)) {
                assertThat(all.get(i).vector()).as(texts.get(i))
                        .containsExactly(encoder.embed(List.of(texts.get(i))).get(0).vector(),
                                offset(1e-4f));
            }
        }
    }
}
