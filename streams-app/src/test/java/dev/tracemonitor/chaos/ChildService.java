package dev.tracemonitor.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of {@link ChaosServiceMain} in a child JVM on the test's classpath: its output is copied to a log file and
 * watched line by line, so the test can wait for it to be ready and kill it (SIGKILL) the moment a flush starts.
 */
final class ChildService {

    /** logback-test.xml's pattern: {@code HH:mm:ss.SSS LEVEL [thread] logger - message}. */
    private static final Pattern LOG_LINE = Pattern.compile("^\\S+\\s+\\w+\\s+\\[([^]]+)]\\s+\\S+\\s+-\\s+(.*)$");
    private static final Pattern FLUSH_START = Pattern.compile("^Flush \\((\\w+)\\) starting");
    private static final Pattern FLUSH_END = Pattern.compile("^Flush \\((\\w+)\\) finished");
    private static final Pattern HELD = Pattern.compile("^" + ChaosServiceMain.HELD + " \\[([^]]+)] (.*)$");
    /** Logged on assignment: {@code Partition … resumes at offset N (Delta tables: D, Kafka group: K)}. */
    static final Pattern RESUMES = Pattern.compile("resumes at offset \\d+ \\(Delta tables: (\\d+), Kafka group: (\\d+)\\)");

    private final Process process;
    private final Path holdFile;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch outputClosed = new CountDownLatch(1);
    private final List<String> flushEvents = new CopyOnWriteArrayList<>();
    private volatile long killOnFlushStartAfterMillis = -1;
    private volatile String killedDuringFlushOf;
    private volatile String lastSinkMessage;

    private ChildService(Process process, Path log, Path holdFile) {
        this.process = process;
        this.holdFile = holdFile;
        Thread reader = new Thread(() -> pump(log), "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the child with {@code settings} as its {@code key=value} arguments. */
    static ChildService start(Path workDir, Path log, Map<String, String> settings) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path argFile = workDir.resolve("child-classpath.args");
        Files.writeString(argFile, "-cp \"" + classpath.replace("\\", "\\\\") + "\"\n");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx768m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "@" + argFile, ChaosServiceMain.class.getName()));
        settings.forEach((k, v) -> command.add(k + "=" + v));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        return new ChildService(process, log, workDir.resolve(ChaosServiceMain.HOLD_FILE));
    }

    long pid() {
        return process.pid();
    }

    boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * From now on, the output reader sends SIGKILL {@code delayMillis} after the child logs that a flush is starting
     * (0: at once), so that kills land at different points of a flush: before the baseline commit, between commits,
     * after the Delta commit and before the Kafka offsets are committed.
     */
    void killOnNextFlushStart(long delayMillis) {
        killOnFlushStartAfterMillis = delayMillis;
    }

    /**
     * From now on, the next sink thread that commits a Delta version stops right after it (the child holds it, see
     * {@link ChaosServiceMain}) and the output reader sends SIGKILL: the table holds the rows, the group's Kafka
     * offsets do not. The hold is lifted once the child has died, so the next child runs freely.
     */
    void killOnNextDeltaCommit() throws IOException {
        Files.writeString(holdFile, "hold");
    }

    /** The last thing a sink thread logged before the child died. */
    String lastSinkMessage() {
        return lastSinkMessage;
    }

    /** SIGKILL now (Process.destroyForcibly on Linux); returns the exit code (137 = 128 + SIGKILL). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit();
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " did not exit");
        }
        outputClosed.await(30, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(holdFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: the child's shutdown hook closes the service (a last flush). */
    int stop() throws InterruptedException {
        process.destroy();
        return awaitExit();
    }

    /**
     * After the child died: the sink thread whose flush was running when it was killed (it logged "starting" and never
     * "finished"), or null when it was killed between flushes.
     */
    String interruptedFlushThread() {
        List<String> open = new ArrayList<>();
        for (String event : flushEvents) {
            String thread = event.substring(event.indexOf(' ') + 1);
            if (event.startsWith("start ")) {
                open.add(thread);
            } else {
                open.remove(thread);
            }
        }
        return open.isEmpty() ? null : String.join(",", open);
    }

    /** The thread whose flush-start line triggered the kill, if {@link #killOnNextFlushStart()} fired. */
    String killedDuringFlushOf() {
        return killedDuringFlushOf;
    }

    private void killAfter(long delayMillis) {
        if (delayMillis == 0) {
            process.destroyForcibly();
            return;
        }
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(delayMillis); // a chosen point in time, not a condition to await
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
        }, "child-killer-" + process.pid());
        killer.setDaemon(true);
        killer.start();
    }

    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true)) {
            out.println("===== child " + process.pid() + " =====");
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(ChaosServiceMain.READY)) {
                    ready.countDown();
                }
                Matcher logLine = LOG_LINE.matcher(line);
                if (logLine.matches()) {
                    String thread = logLine.group(1);
                    String message = logLine.group(2);
                    if (thread.startsWith("delta-sink-")) {
                        lastSinkMessage = thread + ": " + message;
                    }
                    if (FLUSH_START.matcher(message).find()) {
                        flushEvents.add("start " + thread);
                        long delay = killOnFlushStartAfterMillis;
                        if (delay >= 0 && killedDuringFlushOf == null) {
                            killedDuringFlushOf = thread;
                            killAfter(delay);
                        }
                    } else if (FLUSH_END.matcher(message).find()) {
                        flushEvents.add("end " + thread);
                    }
                }
                Matcher held = HELD.matcher(line);
                if (held.matches()) {
                    killedDuringFlushOf = held.group(1);
                    lastSinkMessage = held.group(1) + ": " + held.group(2);
                    process.destroyForcibly();
                }
                out.println(line);
            }
        } catch (IOException e) {
            // the child died; its output ends here
        } finally {
            outputClosed.countDown();
        }
    }
}
