#!/usr/bin/env bash
# Creates trace-monitor's topics with the right cleanup policies.
# Usage: create-topics.sh BOOTSTRAP [PARTITIONS] [REPLICATION]   (KAFKA_BIN: folder of kafka-topics.sh)
# ACLs the service principal needs: READ on traces, monitor-config, monitor-status; WRITE on trace-feedback,
# traces-assessed, traces-dlq, monitor-status; READ on traces-assessed for the sink's group; plus Kafka Streams'
# own (CREATE/DESCRIBE on the application.id-prefixed internal topics, transactional id and group).
set -euo pipefail
bootstrap="${1:?usage: create-topics.sh BOOTSTRAP [PARTITIONS] [REPLICATION]}"
partitions="${2:-3}"
replication="${3:-1}"
bin="${KAFKA_BIN:-/opt/kafka/bin}"
create() {
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$1" \
    --partitions "$2" --replication-factor "$replication" "${@:3}"
}
create traces "$partitions"
create trace-feedback "$partitions"
create traces-assessed "$partitions"
create traces-dlq "$partitions"
create monitor-config 1 --config cleanup.policy=compact
create monitor-status 1 --config cleanup.policy=compact
