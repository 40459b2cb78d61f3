package dev.tracemonitor.sink;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Which Delta tables a record of {@code traces-assessed} or {@code trace-feedback} belongs to. The topology writes it as
 * record headers so the sink needs no monitor configuration of its own:
 * {@code <warehouse>/<catalog>/<schema>/trace_logs_<experiment_id>} and
 * {@code <warehouse>/<catalog>/<schema>/trace_assessments_<experiment_id>}.
 */
public record TableAddress(String catalogName, String schemaName, String experimentId) {

    public static final String HEADER_CATALOG = "trace-monitor.catalog";
    public static final String HEADER_SCHEMA = "trace-monitor.schema";
    public static final String HEADER_EXPERIMENT = "trace-monitor.experiment_id";

    public String tableName() {
        return "trace_logs_" + experimentId;
    }

    /** The trace_logs table's location under a warehouse root (a local path or a Hadoop URI such as {@code s3a://bucket/wh}). */
    public String path(String warehouse) {
        return path(warehouse, tableName());
    }

    /** The trace_assessments table's location under a warehouse root. */
    public String assessmentsPath(String warehouse) {
        return path(warehouse, SinkTableKind.TRACE_ASSESSMENTS.tablePrefix() + experimentId);
    }

    /** The location of the table with the given name in this address's catalog and schema. */
    public String path(String warehouse, String tableName) {
        String root = warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
        return root + "/" + catalogName + "/" + schemaName + "/" + tableName;
    }

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
