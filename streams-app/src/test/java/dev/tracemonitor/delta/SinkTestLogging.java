package dev.tracemonitor.delta;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Keeps broker, Hadoop and Kernel chatter out of the sink tests' output (there is no shared logback-test.xml). */
public final class SinkTestLogging {

    private SinkTestLogging() {
    }

    public static void quiet() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("dev.tracemonitor")).setLevel(Level.INFO);
        ((Logger) LoggerFactory.getLogger("io.delta.kernel.internal.snapshot.SnapshotManager")).setLevel(Level.ERROR);
    }
}
