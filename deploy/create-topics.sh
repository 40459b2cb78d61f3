#!/usr/bin/env bash
# Creates trace-monitor's topics with the right cleanup policies and, given SERVICE_PRINCIPAL, the ACLs the service
# principal needs on a cluster with an authorizer.
#
# Usage: create-topics.sh BOOTSTRAP [PARTITIONS] [REPLICATION]
#   KAFKA_BIN          folder of kafka-topics.sh and kafka-acls.sh (default /opt/kafka/bin)
#   COMMAND_CONFIG     admin client properties for a secured cluster (security.protocol, sasl.*, ssl.*)
#   SERVICE_PRINCIPAL  e.g. User:trace-monitor: also grant it the ACLs below
#   APPLICATION_ID     the service's application.id (default trace-monitor)
#   SINK_GROUP         the service's trace-monitor.sink.group.id (default trace-monitor-delta-sink)
#
# The ACLs (SaslPassthroughTest runs the service with exactly these on a SASL broker with an ACL authorizer):
#   the topology reads traces, monitor-config and monitor-status and writes monitor-status, trace-feedback,
#   traces-assessed and traces-dlq; the alerts and the budgets read and write monitor-alerts and monitor-budget; Kafka Streams creates and uses its internal topics (prefix <application.id>),
#   joins group <application.id> and, for exactly-once, uses transactional ids with prefix <application.id>;
#   the Delta sinks read traces-assessed in group <sink group> and trace-feedback in group <sink group>-assessments.
set -euo pipefail
bootstrap="${1:?usage: create-topics.sh BOOTSTRAP [PARTITIONS] [REPLICATION]}"
partitions="${2:-3}"
replication="${3:-1}"
bin="${KAFKA_BIN:-/opt/kafka/bin}"
app="${APPLICATION_ID:-trace-monitor}"
sink_group="${SINK_GROUP:-trace-monitor-delta-sink}"
admin_config=()
if [[ -n "${COMMAND_CONFIG:-}" ]]; then
  admin_config=(--command-config "$COMMAND_CONFIG")
fi

create() {
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" "${admin_config[@]}" --create --if-not-exists --topic "$1" \
    --partitions "$2" --replication-factor "$replication" "${@:3}"
}
create traces "$partitions"
create trace-feedback "$partitions"
create traces-assessed "$partitions"
create traces-dlq "$partitions"
create monitor-config 1 --config cleanup.policy=compact
create monitor-status 1 --config cleanup.policy=compact
create monitor-alerts 1 --config cleanup.policy=compact
# the monitors' budgets: one partition, so every instance reads the reservations in one order; two days kept
create monitor-budget 1 --config retention.ms=172800000

if [[ -n "${SERVICE_PRINCIPAL:-}" ]]; then
  acl() {
    "$bin/kafka-acls.sh" --bootstrap-server "$bootstrap" "${admin_config[@]}" --add \
      --allow-principal "$SERVICE_PRINCIPAL" "$@"
  }
  acl --operation Read --topic traces
  acl --operation Read --operation DescribeConfigs --topic monitor-config
  acl --operation Read --operation Write --operation DescribeConfigs --topic monitor-status
  acl --operation Read --operation Write --topic trace-feedback
  acl --operation Read --operation Write --operation DescribeConfigs --topic traces-assessed
  acl --operation Write --operation DescribeConfigs --topic traces-dlq
  acl --operation Read --operation Write --topic monitor-alerts
  acl --operation Read --operation Write --topic monitor-budget
  acl --operation All --topic "$app" --resource-pattern-type prefixed
  acl --operation Read --group "$app"
  acl --operation Read --group "$sink_group"
  acl --operation Read --group "$sink_group-assessments"
  acl --operation Write --operation Describe --transactional-id "$app" --resource-pattern-type prefixed
fi
