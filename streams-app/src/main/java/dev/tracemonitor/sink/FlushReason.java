package dev.tracemonitor.sink;

/**
 * Why a {@link DeltaSink} flushes. A scheduled flush keeps a table's uncommitted files for the next one when its commit
 * fails; on revocation and on close they are dropped, since the partitions are being given up.
 */
enum FlushReason { SCHEDULED, REVOCATION, CLOSE }
