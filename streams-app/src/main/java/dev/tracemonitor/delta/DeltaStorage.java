package dev.tracemonitor.delta;

import org.apache.hadoop.conf.Configuration;

/** Hadoop settings every Delta writer of the service uses, whatever the user configured. */
public final class DeltaStorage {

    /** Kernel's key naming the log store class of a URI scheme ({@code io.delta.kernel.logStore.<scheme>.impl}). */
    public static final String FILE_LOG_STORE_KEY = "io.delta.kernel.logStore.file.impl";

    private DeltaStorage() {
    }

    /**
     * Makes {@code file:} tables use {@link LocalAtomicLogStore} (unless a log store is configured for the scheme), so
     * that concurrent writers of a local table cannot overwrite each other's commits. Returns {@code conf}.
     */
    public static Configuration configure(Configuration conf) {
        if (conf.get(FILE_LOG_STORE_KEY) == null) {
            conf.set(FILE_LOG_STORE_KEY, LocalAtomicLogStore.class.getName());
        }
        return conf;
    }
}
