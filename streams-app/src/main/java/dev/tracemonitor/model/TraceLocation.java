package dev.tracemonitor.model;

/** Where a trace is logged; only MLflow experiment locations are monitored. */
public record TraceLocation(String type, String experimentId) {
    public static final String MLFLOW_EXPERIMENT = "MLFLOW_EXPERIMENT";

    public static TraceLocation experiment(String experimentId) {
        return new TraceLocation(MLFLOW_EXPERIMENT, experimentId);
    }
}
