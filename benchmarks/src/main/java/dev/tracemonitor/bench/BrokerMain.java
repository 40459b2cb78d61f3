package dev.tracemonitor.bench;

import dev.tracemonitor.embedded.EmbeddedKafka;
import java.nio.file.Path;

/**
 * A single-node KRaft broker in a JVM of its own, so that the service's resident memory is measured alone: prints
 * {@code BOOTSTRAP <host:port>} on stdout once it serves, and stops when its standard input closes.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]))) {
            System.out.println("BOOTSTRAP " + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the driver to close our stdin (or to die)
            }
        }
        System.exit(0);
    }
}
