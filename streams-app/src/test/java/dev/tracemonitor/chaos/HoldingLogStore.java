package dev.tracemonitor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracemonitor.delta.LocalAtomicLogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The service's own log store for {@code file:} tables, with the child's side of the {@link SinkProbe}: every Delta
 * commit that adds data files is recorded as an event, and when the test asks for it the committing sink thread stops
 * for good right before or right after writing the log entry (the test then kills the process). Installed in the chaos
 * child through the service's Hadoop settings ({@code trace-monitor.hadoop.io.delta.kernel.logStore.file.impl}, the
 * Delta Kernel plug point for storage), with the probe directory in {@value #PROBE_DIR}.
 */
public class HoldingLogStore extends LocalAtomicLogStore {

    /** The Hadoop setting naming the probe directory. */
    public static final String PROBE_DIR = "chaos.probe.dir";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOG_ENTRY = Pattern.compile("(.*)/_delta_log/(\\d{20})\\.json");

    private final SinkProbe probe;

    public HoldingLogStore(Configuration conf) {
        super(conf);
        this.probe = new SinkProbe(java.nio.file.Path.of(conf.get(PROBE_DIR)));
    }

    @Override
    public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration conf) throws IOException {
        Matcher entry = LOG_ENTRY.matcher(path.toUri().getPath());
        List<String> lines = new ArrayList<>();
        actions.forEachRemaining(lines::add);
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) {
            parsed.add(JSON.readTree(line));
        }
        if (Boolean.TRUE.equals(overwrite) || !entry.matches() || parsed.stream().noneMatch(a -> a.has("add"))) {
            super.write(path, lines.iterator(), overwrite, conf);
            return;
        }
        String table = entry.group(1);
        long version = Long.parseLong(entry.group(2));
        Map<String, Long> transactions = new LinkedHashMap<>();
        parsed.stream().map(a -> a.path("txn")).filter(txn -> !txn.isMissingNode())
                .forEach(txn -> transactions.put(txn.path("appId").asText(), txn.path("version").asLong()));
        Optional<SinkProbe.Hold> hold = probe.requestedHold();
        if (hold.equals(Optional.of(SinkProbe.Hold.BEFORE_DELTA_COMMIT))) {
            holdForever(SinkProbe.Hold.BEFORE_DELTA_COMMIT, table, version, transactions);
        }
        super.write(path, lines.iterator(), overwrite, conf);
        probe.record(SinkProbe.Kind.COMMITTED, table, version, transactions);
        if (hold.equals(Optional.of(SinkProbe.Hold.AFTER_DELTA_COMMIT))) {
            holdForever(SinkProbe.Hold.AFTER_DELTA_COMMIT, table, version, transactions);
        }
    }

    /** Says so, then stops the committing thread until the test kills the process. */
    private void holdForever(SinkProbe.Hold hold, String table, long version, Map<String, Long> transactions) {
        probe.record(hold.held, table, version, transactions);
        while (true) {
            LockSupport.park();
        }
    }
}
