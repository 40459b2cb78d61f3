package dev.tracemonitor.sink;

import dev.tracemonitor.delta.LocalAtomicLogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The service's log store for {@code file:} tables, with a gate a test closes: while it is closed, a log entry that
 * adds data files is not written until the gate opens, so the commit carrying it stays in flight. One gate per JVM
 * (Kernel makes the store from its class name).
 */
public class GatedLogStore extends LocalAtomicLogStore {

    private static volatile CountDownLatch gate = new CountDownLatch(0);
    private static final CountDownLatch NONE = new CountDownLatch(0);
    private static volatile CountDownLatch held = NONE;

    public GatedLogStore(Configuration conf) {
        super(conf);
    }

    /** Holds every data commit from now on; returns a latch that opens when the first one is held. */
    static CountDownLatch close() {
        held = new CountDownLatch(1);
        gate = new CountDownLatch(1);
        return held;
    }

    static void open() {
        gate.countDown();
    }

    @Override
    public void write(Path path, Iterator<String> actions, Boolean overwrite, Configuration conf) throws IOException {
        List<String> lines = new ArrayList<>();
        actions.forEachRemaining(lines::add);
        if (path.getName().endsWith(".json") && lines.stream().anyMatch(line -> line.startsWith("{\"add\""))) {
            held.countDown();
            try {
                if (!gate.await(2, TimeUnit.MINUTES)) {
                    throw new IOException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        super.write(path, lines.iterator(), overwrite, conf);
    }
}
