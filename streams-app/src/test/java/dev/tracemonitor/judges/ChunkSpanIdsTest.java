package dev.tracemonitor.judges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChunkSpanIdsTest {

    @Test
    void chunkSpanIdIsTheRetrieverSpanIdHashChunkIndex() {
        assertThat(ChunkSpanIds.of("0f1e2d3c4b5a6978", 3)).isEqualTo("0f1e2d3c4b5a6978#3");
    }

    @Test
    void parsesBackToRetrieverSpanAndIndex() {
        String id = ChunkSpanIds.of("0f1e2d3c4b5a6978", 12);

        assertThat(ChunkSpanIds.retrieverSpanId(id)).isEqualTo("0f1e2d3c4b5a6978");
        assertThat(ChunkSpanIds.chunkIndex(id)).isEqualTo(12);
    }

    @Test
    void plainSpanIdsAreNotChunkIds() {
        assertThat(ChunkSpanIds.chunkIndex("0f1e2d3c4b5a6978")).isEqualTo(-1);
        assertThat(ChunkSpanIds.retrieverSpanId("0f1e2d3c4b5a6978")).isEqualTo("0f1e2d3c4b5a6978");
        assertThat(ChunkSpanIds.chunkIndex("span#x")).isEqualTo(-1);
        assertThat(ChunkSpanIds.retrieverSpanId("span#x")).isEqualTo("span#x");
    }

    @Test
    void negativeIndexIsRejected() {
        assertThatThrownBy(() -> ChunkSpanIds.of("s", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
