package dev.tracemonitor.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Json;
import dev.tracemonitor.model.JudgeBudget;
import dev.tracemonitor.model.MonitorConfig;
import dev.tracemonitor.serde.TraceJsonCodec;
import dev.tracemonitor.sampling.Sampler.JudgeSpec;
import dev.tracemonitor.sink.TableAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte encoding of the scoring stores' values (they are changelogged, so this is a compatibility surface):
 * the trace is kept in MLflow's own JSON, judge results as MLflow Assessments. A judge's {@code model} is written only
 * when the monitor names one, and entries written before judges had a model decode with the default model.
 */
final class StoreCodec {

    private StoreCodec() {
    }

    static byte[] encodeAwaiting(AwaitingTrace awaiting) {
        PlannedTrace plan = awaiting.plan();
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.set("trace", TraceJsonCodec.toJson(plan.trace()));
        node.put("catalog_name", plan.table().catalogName());
        node.put("schema_name", plan.table().schemaName());
        node.put("experiment_id", plan.table().experimentId());
        node.put("config_version", plan.configVersion());
        node.put("deadline", awaiting.deadlineMillis());
        if (plan.budget() != null) {
            node.set("budget", Json.MAPPER.valueToTree(plan.budget()));
        }
        ArrayNode judges = node.putArray("judges");
        for (JudgeSpec spec : plan.judges()) {
            ObjectNode j = judges.addObject();
            j.put("name", spec.name());
            j.put("sample_rate", spec.sampleRate());
            if (spec.isGuidelines()) {
                ArrayNode texts = j.putArray("guidelines");
                spec.guidelines().forEach(texts::add);
            }
            if (spec.model() != null) {
                j.put("model", spec.model());
            }
            if (spec.isTemplate()) {
                j.set("template", Json.MAPPER.valueToTree(spec.template()));
            }
            if (spec.scorer()) {
                j.put("scorer", true);
            }
        }
        return write(node);
    }

    static AwaitingTrace decodeAwaiting(byte[] bytes) {
        JsonNode node = read(bytes);
        List<JudgeSpec> judges = new ArrayList<>();
        for (JsonNode j : node.get("judges")) {
            List<String> guidelines = null;
            if (j.has("guidelines")) {
                guidelines = new ArrayList<>();
                for (JsonNode text : j.get("guidelines")) {
                    guidelines.add(text.asText());
                }
            }
            String model = j.hasNonNull("model") ? j.get("model").asText() : null;
            MonitorConfig.JudgeConfig template = j.hasNonNull("template")
                    ? Json.MAPPER.convertValue(j.get("template"), MonitorConfig.JudgeConfig.class) : null;
            judges.add(new JudgeSpec(j.get("name").asText(), j.get("sample_rate").asDouble(), guidelines, model,
                    template, j.path("scorer").asBoolean(false)));
        }
        TableAddress table = new TableAddress(node.get("catalog_name").asText(), node.get("schema_name").asText(),
                node.get("experiment_id").asText());
        JudgeBudget budget = node.hasNonNull("budget")
                ? Json.MAPPER.convertValue(node.get("budget"), JudgeBudget.class) : null;
        PlannedTrace plan = new PlannedTrace(TraceJsonCodec.fromJson(node.get("trace")), table, judges,
                node.get("config_version").asLong(), budget, null);
        return new AwaitingTrace(plan, node.get("deadline").asLong());
    }

    static byte[] encodeResult(List<Assessment> assessments, String notApplicableReason) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        if (notApplicableReason != null) {
            node.put("not_applicable", notApplicableReason);
        }
        ArrayNode array = node.putArray("assessments");
        assessments.forEach(a -> array.add(TraceJsonCodec.assessmentToJson(a)));
        return write(node);
    }

    static List<Assessment> decodeResultAssessments(byte[] bytes) {
        List<Assessment> list = new ArrayList<>();
        for (JsonNode a : read(bytes).get("assessments")) {
            list.add(TraceJsonCodec.assessmentFromJson(a));
        }
        return list;
    }

    private static byte[] write(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
