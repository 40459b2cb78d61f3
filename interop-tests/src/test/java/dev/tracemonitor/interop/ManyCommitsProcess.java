package dev.tracemonitor.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs streams-app's test-scope {@code dev.tracemonitor.delta.ManyCommitsTableWriter} in a child JVM, from the
 * service's jar, its {@code lib/} and its test classes: it writes a trace_logs and a trace_assessments table of many
 * small commits into a warehouse directory. (This module must not have the service's classes on its classpath.)
 */
final class ManyCommitsProcess {

    static final String MAIN = "dev.tracemonitor.delta.ManyCommitsTableWriter";

    private ManyCommitsProcess() {
    }

    static void run(Path repoRoot, Path warehouse, int commits, int rowsPerCommit, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Path target = repoRoot.resolve("streams-app").resolve("target");
        Path jar = QuickstartProcess.serviceJar(repoRoot);
        Path testClasses = target.resolve("test-classes");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(testClasses.resolve("dev/tracemonitor/delta"))) {
            throw new AssertionError("streams-app is not built (need " + jar + " and " + testClasses
                    + "): `mvn verify` from the repository root builds it before this module");
        }
        String classpath = String.join(java.io.File.pathSeparator, testClasses.toString(), jar.toString(),
                target.resolve("lib").toString() + "/*");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Xmx512m", "-cp", classpath, MAIN, warehouse.toString(),
                Integer.toString(commits), Integer.toString(rowsPerCommit));
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the many-commits writer did not finish within " + timeout
                    + "\n--- last lines of " + log + " ---\n" + QuickstartProcess.tail(log));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("the many-commits writer exited with " + process.exitValue()
                    + "\n--- last lines of " + log + " ---\n" + QuickstartProcess.tail(log));
        }
    }
}
