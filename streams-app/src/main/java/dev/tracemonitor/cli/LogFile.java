package dev.tracemonitor.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.util.StatusPrinter2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Moves this process's log from the terminal into a file, for a command whose screen is for progress and results
 * (the quickstart). The broker, Kafka's clients and Streams, Delta Kernel, Hadoop and the judges all log through
 * SLF4J to logback, so one reconfiguration, with {@code logback-file.xml} (the levels and pattern of
 * {@code logback.xml}), catches them all; log4j-core is on the classpath only for the broker's log-level API and
 * writes nothing.
 */
final class LogFile {

    private LogFile() {
    }

    /** From now on every log line goes to {@code file} (created, or emptied if it exists) and none to the terminal. */
    static void redirectTo(Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.putProperty("LOG_FILE", file.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(LogFile.class.getResource("/logback-file.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("cannot log to " + file, e);
        }
        new StatusPrinter2().printInCaseOfErrorsOrWarnings(context);
    }

    /** The last {@code count} lines of the log, to show on the terminal when a command fails. */
    static List<String> tail(Path file, int count) {
        try {
            List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return lines.subList(Math.max(0, lines.size() - count), lines.size());
        } catch (IOException | RuntimeException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }
}
