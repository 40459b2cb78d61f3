package dev.tracemonitor.otlp;

import java.util.Map;

/**
 * Where the experiment of OTLP spans comes from: a resource or span attribute ({@value #DEFAULT_ATTRIBUTE} by
 * default; the resource's wins, then the first span's of the trace that has one), else a mapping from the resource's
 * {@code service.name}.
 */
public record OtlpExperiments(String attribute, Map<String, String> byServiceName) {

    public static final String DEFAULT_ATTRIBUTE = "mlflow.experimentId";
    public static final String SERVICE_NAME = "service.name";

    public OtlpExperiments {
        byServiceName = byServiceName == null ? Map.of() : Map.copyOf(byServiceName);
    }

    public static OtlpExperiments byAttribute() {
        return new OtlpExperiments(DEFAULT_ATTRIBUTE, Map.of());
    }
}
