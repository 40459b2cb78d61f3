/**
 * Quality alerts: the monitor config's {@code "alerts"} rules ({@link dev.tracemonitor.model.AlertRule}) evaluated per
 * window against the monitors' trace_assessments tables ({@link dev.tracemonitor.alerts.AlertEvaluator}), recorded on
 * a compacted topic and posted to webhooks with backoff until delivered
 * ({@link dev.tracemonitor.alerts.AlertDispatcher}).
 */
package dev.tracemonitor.alerts;
