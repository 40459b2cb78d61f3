package dev.tracemonitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layers of the service pointing down (STYLE.md): each top-level package of {@code dev.tracemonitor} sits in
 * a layer, and main code refers only to its own package and to lower layers. A plain scan of the main sources for
 * {@code dev.tracemonitor.<package>} in imports and qualified names, with comments and string literals left out, so
 * it needs no dependency.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/dev/tracemonitor");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.tracemonitor\\.([a-z][a-z0-9_]*)\\b");

    /**
     * Lowest first. {@code avro} holds the classes generated from {@code schemas/}. STYLE.md puts {@code sink} and
     * {@code scoring} side by side; today {@code metrics} reads {@code sink.SinkStats} and {@code scoring} reports to
     * {@code metrics}, so scoring sits above the sink.
     */
    private static final List<Set<String>> LAYERS = List.of(
            // "scorer" is the scorer-api module's plugin API (no dependencies); "scorers" loads and runs plugins as judges
            Set.of("model", "avro", "scorer"),
            Set.of("serde", "otlp", "judges", "delta", "sampling", "filter", "embedded", "quickstart"),
            Set.of("sink", "controlplane", "scorers"),
            Set.of("metrics", "web"),
            Set.of("scoring", "alerts", "budget"),
            Set.of("topology"),
            Set.of("service"),
            Set.of("backfill"),
            Set.of("cli"));

    /** One reference from a main source file to a top-level package other than its own. */
    private record Reference(Path file, String from, String to) {
        @Override
        public String toString() {
            return MAIN.relativize(file) + " -> " + to;
        }
    }

    private static List<Path> sources;
    private static List<Reference> references;

    @BeforeAll
    static void scan() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            sources = files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
        references = new ArrayList<>();
        for (Path file : sources) {
            String from = topLevelPackage(file);
            Matcher matcher = REFERENCE.matcher(code(read(file)));
            while (matcher.find()) {
                if (!matcher.group(1).equals(from)) {
                    references.add(new Reference(file, from, matcher.group(1)));
                }
            }
        }
    }

    @Test
    void everyMainPackageHasALayer() {
        assertThat(sources).isNotEmpty();
        assertThat(sources).filteredOn(file -> layer(topLevelPackage(file)) < 0)
                .as("main sources in a package with no layer in ArchitectureTest.LAYERS").isEmpty();
        assertThat(references).filteredOn(reference -> layer(reference.to()) < 0)
                .as("references to a package with no layer in ArchitectureTest.LAYERS").isEmpty();
    }

    @Test
    void mainCodeRefersOnlyToLowerLayers() {
        assertThat(references).filteredOn(reference -> layer(reference.to()) >= layer(reference.from()))
                .as("references to the same or a higher layer").isEmpty();
    }

    @Test
    void judgesModelDeltaSamplingAndFilterReachNoneOfServiceScoringTopologyOrCli() {
        Set<String> groundFloor = Set.of("judges", "model", "delta", "sampling", "filter");
        Set<String> above = Set.of("service", "scoring", "topology", "cli");

        assertThat(references)
                .filteredOn(reference -> groundFloor.contains(reference.from()) && above.contains(reference.to()))
                .isEmpty();
    }

    @Test
    void theScanSeesImportsAndQualifiedNamesButNotComments() {
        Set<String> edges = new TreeSet<>();
        references.forEach(reference -> edges.add(reference.from() + " -> " + reference.to()));

        assertThat(edges).contains("cli -> service", "topology -> scoring", "serde -> avro");
        String commentsAndLiterals = "// dev.tracemonitor.cli\n/* dev.tracemonitor.cli */ String s = "
                + "\"dev.tracemonitor.cli\"; char c = '\"'; String t = \"\"\"\n dev.tracemonitor.cli \"\"\";";
        assertThat(code(commentsAndLiterals)).doesNotContain("dev.tracemonitor").contains("String s", "char c");
    }

    private static int layer(String topLevelPackage) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(topLevelPackage)) {
                return i;
            }
        }
        return -1;
    }

    /** The first directory under dev/tracemonitor; "" for a class directly in it. */
    private static String topLevelPackage(Path file) {
        Path relative = MAIN.relativize(file);
        return relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source with comments, string literals, text blocks and character literals blanked out. */
    private static String code(String source) {
        StringBuilder code = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            int end;
            if (source.startsWith("//", i)) {
                end = indexOrEnd(source, "\n", i);
            } else if (source.startsWith("/*", i)) {
                end = indexOrEnd(source, "*/", i + 2) + 2;
            } else if (source.startsWith("\"\"\"", i)) {
                end = closing(source, "\"\"\"", i + 3);
            } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                end = closing(source, String.valueOf(source.charAt(i)), i + 1);
            } else {
                code.append(source.charAt(i++));
                continue;
            }
            code.append(' ');
            i = Math.min(end, source.length());
        }
        return code.toString();
    }

    private static int indexOrEnd(String source, String token, int from) {
        int index = source.indexOf(token, from);
        return index < 0 ? source.length() : index;
    }

    /** The index after the unescaped closing {@code quote} of a literal whose content starts at {@code from}. */
    private static int closing(String source, String quote, int from) {
        int i = from;
        while (i < source.length() && !source.startsWith(quote, i)) {
            i += source.charAt(i) == '\\' ? 2 : 1;
        }
        return i + quote.length();
    }
}
