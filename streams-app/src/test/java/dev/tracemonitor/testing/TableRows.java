package dev.tracemonitor.testing;

import dev.tracemonitor.delta.DeltaTableStats;
import dev.tracemonitor.delta.KernelRows;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** A Delta table's rows as Java values (structs as maps), read with Kernel, for end-to-end tests. */
public final class TableRows {

    private static final Engine ENGINE = DefaultEngine.create(new Configuration());

    private TableRows() {
    }

    /** Every row at the latest version; none when there is no table yet. */
    public static List<Map<String, Object>> of(String tablePath) {
        List<Map<String, Object>> rows = new ArrayList<>();
        DeltaTableStats.read(ENGINE, tablePath).ifPresent(stats -> stats.forEachRow(
                row -> rows.add(KernelRows.toJava(row))));
        return rows;
    }
}
