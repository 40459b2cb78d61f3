package dev.tracemonitor.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.sink.TableAddress;
import dev.tracemonitor.testing.TestTraces;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreCodecTest {

    private static final Trace TRACE = TraceJsonCodec.decode(TestTraces.chat("t-store", "7", "q", "a"));
    private static final TableAddress TABLE = new TableAddress("main", "mon", "7");

    @Test
    void judgeModelsAndScorersSurviveTheRoundTripAndAreWrittenOnlyWhenNamed() throws Exception {
        List<JudgeSpec> judges = List.of(new JudgeSpec("safety", 1.0, null, "judge-large"),
                new JudgeSpec("tone", 0.5, List.of("Be polite."), "judge-small"),
                new JudgeSpec("groundedness", 0.25, null, null), JudgeSpec.scorer("pii_leak", 0.75));
        AwaitingTrace awaiting = new AwaitingTrace(new PlannedTrace(TRACE, TABLE, judges, 12), 99);

        byte[] bytes = StoreCodec.encodeAwaiting(awaiting);
        AwaitingTrace decoded = StoreCodec.decodeAwaiting(bytes);

        assertThat(decoded.plan().judges()).isEqualTo(judges);
        assertThat(decoded.deadlineMillis()).isEqualTo(99);
        JsonNode written = Json.MAPPER.readTree(bytes).get("judges");
        assertThat(written.get(0).get("model").asText()).isEqualTo("judge-large");
        assertThat(written.get(2).has("model")).isFalse();
        assertThat(written.get(2).has("scorer")).isFalse();
        assertThat(written.get(3).get("scorer").asBoolean()).isTrue();
    }

    @Test
    void entriesWrittenBeforeJudgesHadAModelDecodeWithTheDefaultModel() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.set("trace", TraceJsonCodec.toJson(TRACE));
        node.put("catalog_name", "main").put("schema_name", "mon").put("experiment_id", "7")
                .put("config_version", 12).put("deadline", 99);
        node.set("judges", Json.parseOrNull("""
                [{"name": "safety", "sample_rate": 1.0},
                 {"name": "tone", "sample_rate": 0.5, "guidelines": ["Be polite."]}]"""));

        AwaitingTrace decoded = StoreCodec.decodeAwaiting(TestTraces.utf8(node.toString()));

        assertThat(decoded.plan().judges()).containsExactly(new JudgeSpec("safety", 1.0, null, null),
                new JudgeSpec("tone", 0.5, List.of("Be polite."), null));
        assertThat(decoded.plan().table()).isEqualTo(TABLE);
        assertThat(decoded.plan().configVersion()).isEqualTo(12);
    }
}
