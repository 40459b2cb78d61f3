package dev.tracemonitor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * The Spark Structured Streaming job of the {@code benchmarks-spark} module ({@code KafkaToDeltaJob}) as a child
 * JVM: {@code java -Xmx1g <Spark's JVM options> -jar benchmarks-spark/target/benchmarks-spark.jar …}. The jar's
 * manifest names its classpath (Spark's, in {@code target/lib}) and the JVM options Spark's launcher adds on Java 17
 * ({@code Spark-Java-Options}, from the parent pom's {@code spark.java.options}), so the harness needs no Spark class.
 */
final class SparkJobProcess implements AutoCloseable {

    private final Process process;

    private SparkJobProcess(Process process) {
        this.process = process;
    }

    /** Starts the job: it reads {@code topic} from the earliest offset into the Delta table at {@code table}. */
    static SparkJobProcess start(Path repoRoot, Path log, String heap, String bootstrap, String topic, Path table,
                                 Path checkpoint) throws IOException {
        Path jar = repoRoot.resolve("benchmarks-spark/target/benchmarks-spark.jar");
        if (!Files.exists(jar)) {
            throw new IOException("no " + jar + ": build it first (benchmarks/run.sh builds it)");
        }
        String sparkOptions;
        try (JarFile file = new JarFile(jar.toFile())) {
            sparkOptions = file.getManifest().getMainAttributes().getValue("Spark-Java-Options");
        }
        List<String> command = new ArrayList<>(List.of(Java.executable(), "-Xmx" + heap));
        command.addAll(List.of(sparkOptions.trim().split("\\s+")));
        command.addAll(List.of("-jar", jar.toString(), bootstrap, topic, table.toString(), checkpoint.toString()));
        Files.writeString(log, String.join(" ", command) + "\n");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return new SparkJobProcess(builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the job to exit by itself (AvailableNow ends once the batch is committed). */
    int awaitExit(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the Spark job did not exit within " + timeoutSeconds + " s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
