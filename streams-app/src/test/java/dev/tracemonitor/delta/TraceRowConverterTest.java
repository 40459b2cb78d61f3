package dev.tracemonitor.delta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.testing.TraceJsonVariants;
import io.delta.kernel.data.Row;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceRowConverterTest {

    @Test
    void traceJsonForwardedAsReceivedGivesTheRowsOfItsReencoding() throws IOException {
        List<Trace> asReceived = new ArrayList<>();
        List<Trace> reencoded = new ArrayList<>();
        for (byte[] value : TraceJsonVariants.reusable().values()) {
            ReceivedTrace received = TraceJsonCodec.decodeReceived(value);
            assertThat(received.json()).isNotNull();
            asReceived.add(TraceJsonCodec.decode(received.json()));
            reencoded.add(TraceJsonCodec.decode(TraceJsonCodec.encode(received.trace())));
        }

        List<Map<String, Object>> rows = rows(asReceived);
        assertThat(rows).hasSize(TraceJsonVariants.reusable().size());
        assertThat(rows).isEqualTo(rows(reencoded));
    }

    private static List<Map<String, Object>> rows(List<Trace> traces) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = TraceRowConverter.toBatch(traces).getRows()) {
            while (it.hasNext()) {
                rows.add(KernelRows.toJava(it.next()));
            }
        }
        return rows;
    }
}
