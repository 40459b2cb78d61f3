/**
 * Quality alerts (#18 done-when 3), the parts built so far: a rule as the monitor config will carry it
 * ({@link dev.tracemonitor.alerts.AlertRule}), the decision for one window read from the trace_assessments table
 * ({@link dev.tracemonitor.alerts.AlertEvaluator}) and the webhook post with backoff
 * ({@link dev.tracemonitor.alerts.WebhookSender}). Not yet wired: the {@code "alerts"} key of monitor configs, the
 * per-window schedule in the service, and the alerts topic that keeps an alert until its receiver has it.
 */
package dev.tracemonitor.alerts;
