package dev.tracemonitor.judges.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TextWindowsTest {

    /** One "wordpiece" per whitespace-separated word keeps the arithmetic of these tests visible. */
    private final TextWindows windows = new TextWindows(text -> text.isBlank() ? 0 : text.strip().split("\\s+").length, 5);

    @Test
    void shortTextIsKeptWhole() {
        assertThat(windows.head("one two three")).isEqualTo("one two three");
    }

    @Test
    void headCutsAtAWordBoundaryWithinTheWindow() {
        assertThat(windows.head("a b c d e f g h")).isEqualTo("a b c d e");
    }

    @Test
    void splitPacksSentencesIntoWindows() {
        assertThat(windows.split("One two. Three four. Five six seven.", 10))
                .containsExactly("One two. Three four.", "Five six seven.");
    }

    @Test
    void splitCutsASentenceLongerThanAWindow() {
        String sentence = IntStream.rangeClosed(1, 12).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));

        assertThat(windows.split(sentence, 10)).containsExactly("w1 w2 w3 w4 w5", "w6 w7 w8 w9 w10", "w11 w12");
    }

    @Test
    void splitStopsAtTheWindowLimit() {
        List<String> split = windows.split("a b c d e. f g h i j. k l m n o. p q.", 2);

        assertThat(split).containsExactly("a b c d e.", "f g h i j.");
    }

    @Test
    void realTokenizerWindowsFitTheModel() {
        try (SentenceEmbedder embedder = new SentenceEmbedder(1, 0)) {
            TextWindows real = embedder.windows();
            String longText = "Ibuprofen is a nonsteroidal anti-inflammatory drug used for pain and fever. ".repeat(40);

            List<String> split = real.split(longText, 100);

            assertThat(split).hasSizeGreaterThan(1);
            HuggingFaceTokenCountEstimator tokens = new HuggingFaceTokenCountEstimator();
            assertThat(split).allSatisfy(window -> assertThat(tokens.estimateTokenCountInText(window))
                    .isLessThanOrEqualTo(SentenceEmbedder.WINDOW_TOKENS));
            assertThat(String.join(" ", split)).isEqualTo(longText.strip());
        }
    }
}
