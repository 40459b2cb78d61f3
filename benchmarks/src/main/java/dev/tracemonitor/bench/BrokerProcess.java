package dev.tracemonitor.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The broker, {@link BrokerMain}, as a child JVM on the driver's own classpath. */
public final class BrokerProcess implements AutoCloseable {

    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    public static BrokerProcess start(Path dataDir, Path logFile, String heap) throws IOException {
        List<String> command = new ArrayList<>(List.of(Java.executable(), "-Xms" + heap, "-Xmx" + heap,
                "-XX:+UseG1GC", "-Dlogback.configurationFile=bench-logback.xml",
                "-cp", System.getProperty("java.class.path"), BrokerMain.class.getName(), dataDir.toString()));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("BOOTSTRAP ")) {
                return new BrokerProcess(process, line.substring("BOOTSTRAP ".length()).trim());
            }
        }
        process.destroyForcibly();
        throw new IOException("the broker did not start; see " + logFile);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
