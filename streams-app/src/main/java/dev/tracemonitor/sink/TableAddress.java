package dev.tracemonitor.sink;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Which Delta tables a record of {@code traces-assessed} or {@code trace-feedback} belongs to. The topology writes it as
 * record headers so the sink needs no monitor configuration of its own:
 * {@code <warehouse>/<catalog>/<schema>/trace_logs_<experiment_id>} and
 * {@code <warehouse>/<catalog>/<schema>/trace_assessments_<experiment_id>} ({@link SinkTableKind#path}).
 */
public record TableAddress(String catalogName, String schemaName, String experimentId) {

    public static final String HEADER_CATALOG = "trace-monitor.catalog";
    public static final String HEADER_SCHEMA = "trace-monitor.schema";
    public static final String HEADER_EXPERIMENT = "trace-monitor.experiment_id";

    public void writeTo(Headers headers) {
        headers.remove(HEADER_CATALOG).remove(HEADER_SCHEMA).remove(HEADER_EXPERIMENT);
        headers.add(HEADER_CATALOG, catalogName.getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_SCHEMA, schemaName.getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_EXPERIMENT, experimentId.getBytes(StandardCharsets.UTF_8));
    }

    /** The address carried by a record, or null when a header is missing. */
    public static TableAddress fromHeaders(Headers headers) {
        String catalog = lastValue(headers, HEADER_CATALOG);
        String schema = lastValue(headers, HEADER_SCHEMA);
        String experiment = lastValue(headers, HEADER_EXPERIMENT);
        return catalog == null || schema == null || experiment == null ? null
                : new TableAddress(catalog, schema, experiment);
    }

    private static String lastValue(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
