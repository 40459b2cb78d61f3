package dev.tracemonitor.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code trace-monitor quickstart} from the service's runnable jar in a child JVM. The service and
 * Spark cannot share a classpath, so the table is produced by a separate process and only the files
 * on disk are shared.
 */
final class QuickstartProcess {
    private static final int TAIL_LINES = 80;

    private QuickstartProcess() {}

    /** Where the runnable jar is: {@code <repo root>/streams-app/target/trace-monitor.jar}. */
    static Path serviceJar(Path repoRoot) {
        return repoRoot.resolve("streams-app").resolve("target").resolve("trace-monitor.jar");
    }

    /**
     * Runs the quickstart, with more {@code options} if given, to completion, its output (stdout and stderr) going
     * to {@code log}.
     * Fails, with the tail of the log, if it cannot start, exits non-zero or runs past {@code timeout}.
     */
    static void run(Path jar, Path warehouse, Path summaryFile, Path log, Duration timeout, String... options)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("The service's runnable jar is missing: " + jar
                    + "\nBuild streams-app first (`mvn verify` from the repository root builds it before this module),"
                    + " or point -Dtracemonitor.repo.root at a checkout where it is built.");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(), "-jar", jar.toString(),
                "quickstart",
                "--warehouse", warehouse.toString(),
                "--summary-file", summaryFile.toString()));
        command.addAll(List.of(options));
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(warehouse.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        long started = System.nanoTime();
        Process process = builder.start();
        // If this JVM is stopped (failsafe's fork timeout, Ctrl-C) the quickstart goes with it.
        Thread reaper = new Thread(() -> stop(process), "quickstart-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        process.getOutputStream().close(); // no stdin: the quickstart must not wait for input
        boolean exited;
        try {
            exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (process.isAlive()) {
                stop(process);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it stops the process
            }
        }
        if (!exited) {
            throw new AssertionError("quickstart did not finish within " + timeout + ": " + String.join(" ", command)
                    + "\n--- last lines of " + log + " ---\n" + tail(log));
        }
        int exit = process.exitValue();
        System.out.printf("quickstart exited %d after %.1f s (log: %s)%n",
                exit, (System.nanoTime() - started) / 1e9, log);
        if (exit != 0) {
            throw new AssertionError("quickstart exited with " + exit + ": " + String.join(" ", command)
                    + "\n--- last lines of " + log + " ---\n" + tail(log));
        }
        if (!Files.isRegularFile(summaryFile)) {
            throw new AssertionError("quickstart exited 0 but wrote no summary file at " + summaryFile
                    + "\n--- last lines of " + log + " ---\n" + tail(log));
        }
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path log) {
        try {
            // Lenient decoding: the tail is for a person to read, whatever bytes the child wrote.
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(could not read " + log + ": " + e + ")";
        }
    }
}
