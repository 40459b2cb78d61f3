package dev.tracemonitor.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hook between {@link ServiceChaosTest} and its child ({@link ChaosServiceMain}): two files in a directory both
 * know. The test writes the hold file to ask the child's sinks to stop at a point of a flush's commit; the child
 * appends one line per event to the events file: it started, a sink committed a Delta version with data, a sink is
 * held. The child's side runs in the Delta log store it is configured with ({@link HoldingLogStore}), so the hook sits
 * at the sink's real commit rather than at a log message.
 */
final class SinkProbe {

    enum Kind { STARTED, COMMITTED, HELD_BEFORE_DELTA_COMMIT, HELD_AFTER_DELTA_COMMIT }

    /** Where a sink thread stops, once it has written a flush's data files, and the event that says it has. */
    enum Hold {
        /** Before the Delta commit of the files: they are in the table directory, referenced by no version. */
        BEFORE_DELTA_COMMIT(Kind.HELD_BEFORE_DELTA_COMMIT),
        /** After the Delta commit, before the flush commits the group's Kafka offsets. */
        AFTER_DELTA_COMMIT(Kind.HELD_AFTER_DELTA_COMMIT);

        final Kind held;

        Hold(Kind held) {
            this.held = held;
        }
    }

    /**
     * One event of a child.
     *
     * @param table        the table path of a commit (empty for {@link Kind#STARTED})
     * @param version      the Delta version written or about to be written (-1 for {@link Kind#STARTED})
     * @param transactions the commit's transaction ids: appId ({@code <group>-<topic>-<partition>}) to version
     */
    record Event(Kind kind, long pid, String thread, String table, long version, Map<String, Long> transactions) {

        String line() {
            StringBuilder txns = new StringBuilder();
            transactions.forEach((appId, v) -> txns.append(txns.isEmpty() ? "" : ",").append(appId).append('=').append(v));
            return String.join("\t", kind.name(), Long.toString(pid), thread, table, Long.toString(version), txns)
                    + "\n";
        }

        static Event parse(String line) {
            String[] f = line.split("\t", -1);
            Map<String, Long> txns = new LinkedHashMap<>();
            for (String txn : f[5].isEmpty() ? new String[0] : f[5].split(",")) {
                int eq = txn.lastIndexOf('=');
                txns.put(txn.substring(0, eq), Long.parseLong(txn.substring(eq + 1)));
            }
            return new Event(Kind.valueOf(f[0]), Long.parseLong(f[1]), f[2], f[3], Long.parseLong(f[4]), txns);
        }
    }

    /** Log stores are made per use: one lock for every probe of the process. */
    private static final Object APPEND = new Object();

    private final Path dir;
    private final Path holdFile;
    private final Path eventsFile;

    SinkProbe(Path dir) {
        this.dir = dir;
        this.holdFile = dir.resolve("hold");
        this.eventsFile = dir.resolve("events.tsv");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // the test's side

    /** Where the probe's files are: what a child is given to record into. */
    Path dir() {
        return dir;
    }

    void requestHold(Hold hold) throws IOException {
        Files.writeString(holdFile, hold.name());
    }

    void clearHold() throws IOException {
        Files.deleteIfExists(holdFile);
    }

    /** The events of one child so far, in order. */
    List<Event> events(long pid) throws IOException {
        if (!Files.exists(eventsFile)) {
            return List.of();
        }
        String text = Files.readString(eventsFile, StandardCharsets.UTF_8);
        List<Event> events = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) { // the last piece is empty or a line still being written
            Event event = Event.parse(lines[i]);
            if (event.pid() == pid) {
                events.add(event);
            }
        }
        return events;
    }

    Optional<Event> first(long pid, Kind kind) throws IOException {
        return events(pid).stream().filter(e -> e.kind() == kind).findFirst();
    }

    // the child's side

    Optional<Hold> requestedHold() {
        try {
            return Files.exists(holdFile) ? Optional.of(Hold.valueOf(Files.readString(holdFile).trim()))
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends an event of this process (one write per line, so lines of concurrent sink threads do not mix). */
    void record(Kind kind, String table, long version, Map<String, Long> transactions) {
        Event event = new Event(kind, ProcessHandle.current().pid(), Thread.currentThread().getName(), table, version,
                transactions);
        synchronized (APPEND) {
            try {
                Files.writeString(eventsFile, event.line(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
