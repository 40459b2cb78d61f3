package dev.tracemonitor.cli;

import dev.tracemonitor.delta.DeltaTableStats;
import io.delta.kernel.defaults.engine.DefaultEngine;
import org.apache.hadoop.conf.Configuration;

/** Rows, data files and version of a Delta table, read with Kernel for the quickstart's summary. */
record TableFacts(long rows, long files, long version) {

    static TableFacts read(String tablePath) {
        return DeltaTableStats.read(DefaultEngine.create(new Configuration()), tablePath)
                .map(s -> new TableFacts(s.rows(), s.dataFiles(), s.version()))
                .orElse(new TableFacts(0, 0, -1));
    }
}
