package dev.tracemonitor.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.ScanImpl;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.actions.SetTransaction;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.snapshot.LogSegment;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every use of Kernel's {@code io.delta.kernel.internal} classes, in one place: what Kernel 4.0's public API does not
 * offer (reading a transaction identifier, more than one transaction identifier per commit, file statistics of a
 * scan, the log files of a snapshot). Kernel's own examples use the same classes; re-check them on a Kernel upgrade.
 */
final class KernelInternals {

    private KernelInternals() {
    }

    static Optional<Long> latestTransactionVersion(Engine engine, Snapshot snapshot, String appId) {
        return ((SnapshotImpl) snapshot).getLatestTransactionVersion(engine, appId);
    }

    /** A {@code txn} action row, for the transaction identifiers beyond the one {@code withTransactionId} sets. */
    static Row transactionIdAction(String appId, long version, long nowMillis) {
        return SingleAction.createTxnSingleAction(new SetTransaction(appId, version, Optional.of(nowMillis)).toRow());
    }

    /**
     * A {@code metaData} action: the snapshot's metadata with another schema. Kernel 4.0 evolves a schema only on
     * tables with column mapping, which ours (written since before) do not have; appending nullable columns is the
     * evolution Delta's protocol allows without it (Spark's {@code mergeSchema} writes the same action).
     */
    static Row metadataWithSchema(Snapshot snapshot, StructType schema) {
        return SingleAction.createMetadataSingleAction(((SnapshotImpl) snapshot).getMetadata().withNewSchema(schema).toRow());
    }

    static CloseableIterator<FilteredColumnarBatch> scanFilesWithStats(Engine engine, Scan scan) {
        return ((ScanImpl) scan).getScanFiles(engine, true);
    }

    static FileStatus addFileStatus(Row scanFileRow) {
        return InternalScanFileUtils.getAddFileStatus(scanFileRow);
    }

    /** The {@code add.stats} JSON of a scan file row from {@link #scanFilesWithStats}, or null. */
    static String addFileStats(Row scanFileRow) {
        Row add = scanFileRow.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
        int ordinal = InternalScanFileUtils.ADD_FILE_STATS_ORDINAL;
        return add.isNullAt(ordinal) ? null : add.getString(ordinal);
    }

    static StructType physicalReadSchema(Engine engine, Row scanState) {
        return ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
    }

    /** The checkpoint files of the snapshot's log segment. */
    static List<FileStatus> checkpointFiles(Snapshot snapshot) {
        return new ArrayList<>(((SnapshotImpl) snapshot).getLogSegment().getCheckpoints());
    }

    /** The commit ({@code NNN.json}) files after the checkpoint, and any log compaction files. */
    static List<FileStatus> commitFiles(Snapshot snapshot) {
        LogSegment segment = ((SnapshotImpl) snapshot).getLogSegment();
        List<FileStatus> files = new ArrayList<>(segment.getDeltas());
        files.addAll(segment.getCompactions());
        return files;
    }
}
