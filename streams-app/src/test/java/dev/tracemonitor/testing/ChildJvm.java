package dev.tracemonitor.testing;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The parent-side handle of a test-classpath {@code main} running in a child JVM: the one way tests run the service as
 * an operating-system process, to stop it with SIGTERM or kill it with SIGKILL. The child's stdout and stderr are
 * appended to a file, for a person reading a failure; tests observe the child through its public state (its HTTP
 * endpoint, the topics, the tables) or files it writes for them, never through that output.
 */
public final class ChildJvm implements AutoCloseable {

    /** Exit status of a JVM ended by SIGKILL (128 + 9). */
    public static final int SIGKILLED = 137;

    private final Process process;
    private final Path output;

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code main} with this JVM's test classpath in {@code workDir}, its output appended to {@code output}.
     *
     * @param jvmOptions e.g. {@code -Xmx512m}
     */
    public static ChildJvm start(Class<?> main, List<String> jvmOptions, List<String> args, Path workDir, Path output)
            throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // an argument file keeps the classpath off the command line (and out of ps listings)
        Path argFile = workDir.resolve("child-classpath.args");
        Files.writeString(argFile, "-cp \"" + classpath.replace("\\", "\\\\") + "\"\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("@" + argFile);
        command.add(main.getName());
        command.addAll(args);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, "===== " + Instant.now() + " " + main.getSimpleName() + " =====\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(output.toFile())).start();
        process.getOutputStream().close();
        return new ChildJvm(process, output);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's output so far, for failure messages. */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Sends SIGTERM and waits up to {@code timeout}; whether the child exited. */
    public boolean stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends SIGKILL and waits for the child to die; its exit status ({@link #SIGKILLED}). */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit();
    }

    /** Waits for the child to exit (a minute at most); its exit status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            throw new AssertionError("child " + process.pid() + " did not exit; see " + output);
        }
        return process.exitValue();
    }

    /** Valid once the child has exited. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
