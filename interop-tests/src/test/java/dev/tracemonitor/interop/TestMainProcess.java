package dev.tracemonitor.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of streams-app's test scope (a table writer such as {@code dev.tracemonitor.delta.ManyCommitsTableWriter})
 * in a child JVM, from the service's jar, its {@code lib/} and its test classes, and the test-scope dependencies listed
 * in {@code streams-app/target/test-classpath.txt} when the build wrote it. This module must not have the service's
 * classes on its classpath: Spark's and the service's dependencies differ.
 */
final class TestMainProcess {

    private TestMainProcess() {
    }

    static void run(Path repoRoot, String main, List<String> args, Path log, Duration timeout)
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
        Path testClasspath = target.resolve("test-classpath.txt");
        if (Files.isRegularFile(testClasspath)) {
            // streams-app's test-scope dependencies (Kafka's test cluster, awaitility, ...), which lib/ lacks; after
            // lib/, so that the service's runtime jars come first
            classpath = classpath + java.io.File.pathSeparator + Files.readString(testClasspath).strip();
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx512m", "-cp", classpath, main));
        command.addAll(args);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(main + " did not finish within " + timeout
                    + "\n--- last lines of " + log + " ---\n" + QuickstartProcess.tail(log));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(main + " exited with " + process.exitValue()
                    + "\n--- last lines of " + log + " ---\n" + QuickstartProcess.tail(log));
        }
    }
}
