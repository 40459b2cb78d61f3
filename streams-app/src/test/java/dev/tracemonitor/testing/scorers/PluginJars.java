package dev.tracemonitor.testing.scorers;

import static org.assertj.core.api.Assertions.fail;

import dev.tracemonitor.scorer.Scorer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Plugin jars for tests: the example module's, and jars built here from scorer classes of the test sources with a
 * {@code META-INF/services} file that exists only inside the jar (so the test classpath does not expose them).
 */
public final class PluginJars {

    /** Set by streams-app's surefire configuration: the example-scorer module's target directory. */
    public static final String EXAMPLE_DIR_PROPERTY = "example.scorer.dir";

    private PluginJars() {
    }

    /** Copies {@code example-scorer/target/example-scorer-*.jar} into {@code dir}; fails clearly if not built. */
    public static Path copyExample(Path dir) throws IOException {
        String target = System.getProperty(EXAMPLE_DIR_PROPERTY);
        if (target == null) {
            fail("system property " + EXAMPLE_DIR_PROPERTY + " is not set (streams-app/pom.xml sets it for surefire)");
        }
        List<Path> jars;
        Path targetDir = Path.of(target);
        try (Stream<Path> files = Files.isDirectory(targetDir) ? Files.list(targetDir) : Stream.empty()) {
            jars = files.filter(f -> f.getFileName().toString().matches("example-scorer-.*\\.jar")).toList();
        }
        if (jars.size() != 1) {
            fail("expected one example-scorer-*.jar in " + targetDir.toAbsolutePath() + ", found " + jars
                    + "; build it first: mvn -o -q -B install -DskipTests -pl scorer-api,example-scorer");
        }
        Files.createDirectories(dir);
        return Files.copy(jars.get(0), dir.resolve(jars.get(0).getFileName()));
    }

    /** A plugin jar holding these scorer classes (their .class files from the test classpath) and their services file. */
    @SafeVarargs
    public static Path build(Path jar, Class<? extends Scorer>... scorers) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<? extends Scorer> scorer : scorers) {
                String entry = scorer.getName().replace('.', '/') + ".class";
                try (InputStream in = scorer.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        fail("no class file " + entry + " on the test classpath");
                    }
                    out.putNextEntry(new JarEntry(entry));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + Scorer.class.getName()));
            out.write((Stream.of(scorers).map(Class::getName).collect(Collectors.joining("\n")) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }
}
