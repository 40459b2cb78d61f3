package dev.tracemonitor.judges.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentencesTest {

    @Test
    void splitsSentencesAndLinesAndDropsListMarkers() {
        assertThat(Sentences.split("It costs 3.5 euros. It opens at 9!\n- First item\n2. Second item\n## Heading"))
                .containsExactly("It costs 3.5 euros.", "It opens at 9!", "First item", "Second item", "Heading");
    }

    @Test
    void countsWords() {
        assertThat(Sentences.wordCount("It's 330 metres tall.")).isEqualTo(4);
    }

    @Test
    void recognisesConversationalFiller() {
        assertThat(Sentences.isFiller("Let me know if you have other questions!")).isTrue();
        assertThat(Sentences.isFiller("I hope this helps.")).isTrue();
        assertThat(Sentences.isFiller("The tower is 330 metres tall.")).isFalse();
    }
}
