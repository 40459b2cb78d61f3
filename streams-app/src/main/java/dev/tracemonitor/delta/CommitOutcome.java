package dev.tracemonitor.delta;

import java.util.Map;

/** What became of a commit: a new table version, or nothing because the transaction ids were already committed. */
public sealed interface CommitOutcome {

    /** The files are now part of the table at {@code version}. */
    record Committed(long version, int files, long rows, long bytes, boolean checkpointWritten) implements CommitOutcome {
    }

    /**
     * The table already holds a version at or beyond one of the given transaction ids (appId → committed version):
     * the data was written before, by this writer or another owner of the same source partition. Nothing was
     * committed; the caller's files are not part of the table.
     */
    record AlreadyWritten(Map<String, Long> committedVersions) implements CommitOutcome {
    }
}
