#!/usr/bin/env bash
# The benchmark harness in one command: builds the service and the harness, then runs every scenario (JMH
# microbenchmarks, judge calls/s against the fake OpenAI endpoint, pipeline throughput and memory with the service
# and a broker as child JVMs, local judges with feedback latency, the sink's memory with rows pending, the local judges'
# precision, recall and latency per trace on the labelled set judge-eval) and prints one table. Arguments go to the
# harness: `--quick`, a subset of scenarios (micro judge pipeline local memory judges; flush, overload and
# spark-vs-service run only when named),
# `--key=value` options (see benchmarks/src/main/java/dev/tracemonitor/bench/Options.java), `-Dkey=value` service
# settings. About 8 minutes on 2 cores; `--quick` about 3.
set -euo pipefail
cd "$(dirname "$0")/.."
# BENCH_MVN_ARGS: more Maven arguments, e.g. -o
mvn -q -pl benchmarks,benchmarks-spark -am package -DskipTests ${BENCH_MVN_ARGS:-} >&2
exec java -jar benchmarks/target/benchmarks.jar "${@:-all}"
