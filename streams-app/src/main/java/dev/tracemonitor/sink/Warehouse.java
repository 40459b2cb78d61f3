package dev.tracemonitor.sink;

import dev.tracemonitor.delta.DataFile;
import dev.tracemonitor.delta.DeltaTable;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-system side of the warehouse: which {@code <catalog>/<schema>/<prefix><experiment_id>} tables exist (prefix
 * {@code trace_logs_} or {@code trace_assessments_}), and the data files that were written into them but never
 * committed. Public for the monitoring page, which lists the monitors it can show from the same tables.
 */
public final class Warehouse {

    private static final Logger log = LoggerFactory.getLogger(Warehouse.class);
    /** The names Kernel's default Parquet writer gives data files: {@code <uuid>-<nnn>.parquet}. */
    private static final Pattern KERNEL_DATA_FILE =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\\d{3}\\.parquet");

    private final String root;
    private final Configuration conf;
    private final String tablePrefix;

    public Warehouse(String root, Configuration conf, String tablePrefix) {
        this.root = root;
        this.conf = conf;
        this.tablePrefix = tablePrefix;
    }

    /** Every table directory matching {@code <root>/*}{@code /*}{@code /<prefix>*}. */
    public List<TableAddress> tables() throws IOException {
        Path pattern = new Path(root, "*/*/" + tablePrefix + "*");
        FileStatus[] matches = pattern.getFileSystem(conf).globStatus(pattern);
        List<TableAddress> tables = new ArrayList<>();
        if (matches != null) {
            for (FileStatus match : matches) {
                if (match.isDirectory()) {
                    Path table = match.getPath();
                    Path schema = table.getParent();
                    tables.add(new TableAddress(schema.getParent().getName(), schema.getName(),
                            table.getName().substring(tablePrefix.length())));
                }
            }
        }
        return tables;
    }

    /**
     * Deletes the Kernel-named data files in the table's {@code request_date=*} directories that the log does not
     * refer to and that are older than {@code olderThanMillis} (so that a live writer's files, committed within a
     * flush interval, are left alone). Returns how many were deleted.
     */
    int deleteUncommittedFiles(DeltaTable<?> table, long olderThanMillis, long nowMillis) throws IOException {
        Path tableDir = new Path(table.path());
        FileSystem fs = tableDir.getFileSystem(conf);
        FileStatus[] files = fs.globStatus(new Path(tableDir, "*=*/*.parquet"));
        if (files == null || files.length == 0) {
            return 0;
        }
        Set<String> referenced = table.referencedFiles();
        URI tableUri = fs.makeQualified(tableDir).toUri();
        int deleted = 0;
        for (FileStatus file : files) {
            Path path = file.getPath();
            String relative = tableUri.relativize(path.toUri()).getPath();
            boolean orphan = file.isFile() && KERNEL_DATA_FILE.matcher(path.getName()).matches()
                    && !referenced.contains(relative) && file.getModificationTime() < nowMillis - olderThanMillis;
            if (orphan && fs.delete(path, false)) {
                deleted++;
                log.info("Deleted uncommitted data file {}", path);
            }
        }
        return deleted;
    }

    boolean allExist(Collection<DataFile> files) throws IOException {
        for (DataFile file : files) {
            Path path = new Path(file.path());
            if (!path.getFileSystem(conf).exists(path)) {
                return false;
            }
        }
        return true;
    }
}
