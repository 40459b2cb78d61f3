package dev.tracemonitor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.serde.JsonTraceDecoder;
import dev.tracemonitor.testing.TestTraces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceFilesTest {

    @TempDir
    Path dir;

    @Test
    void eachDocumentOfAJsonLinesFileIsProducedAsTheExactBytesTheFileHolds() throws Exception {
        String first = new String(TestTraces.chat("tr-a", "7", "What is Kafka?", "A log."), StandardCharsets.UTF_8);
        String second = "{ \"info\" :  {\"trace_id\": \"tr-b\", \"big\": 12345678901234567890.50}, \"data\": {\"spans\": []}}";
        Path file = Files.writeString(dir.resolve("traces.jsonl"), first + "\n\n" + second + "\n");

        TraceFiles files = TraceFiles.read(List.of(file), new JsonTraceDecoder(), "traces");

        assertThat(files.records()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly(first, second);
        assertThat(files.records().get(0).key()).isEqualTo("tr-a");
        assertThat(files.experimentIds()).containsExactly("7");
    }

    @Test
    void aFileThatIsNotJsonIsOneUndecodableRecordAsItIs() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "not { json");

        TraceFiles files = TraceFiles.read(List.of(file), new JsonTraceDecoder(), "traces");

        assertThat(files.records()).singleElement().satisfies(record -> {
            assertThat(record.value()).isEqualTo("not { json".getBytes(StandardCharsets.UTF_8));
            assertThat(record.trace()).isNull();
            assertThat(record.error()).isNotBlank();
        });
        assertThat(files.undecodable()).isEqualTo(1);
        assertThat(files.experimentIds()).isEmpty();
    }
}
