package dev.tracemonitor.scorers;

import dev.tracemonitor.judges.BuiltinJudge;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.scorer.Scorer;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The code scorers of the plugin directory: every {@code *.jar} directly in it, on one class loader whose parent has
 * the scorer API, and every {@link Scorer} its {@code META-INF/services} files name ({@link ServiceLoader}). Loaded
 * once, at start; what cannot be loaded as it is (two scorers with one name, a name a monitor could not use, a
 * provider that fails to load) stops the start with a message naming the scorer and its jar, rather than leaving a
 * monitor's scorer silently missing.
 */
public final class ScorerRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerRegistry.class);
    /** The monitor config's judge name rule (a scorer's name is its Assessments' name). */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}");

    private final Map<String, ScorerJudge> judges;
    private final URLClassLoader loader;

    private ScorerRegistry(Map<String, ScorerJudge> judges, URLClassLoader loader) {
        this.judges = Collections.unmodifiableMap(judges);
        this.loader = loader;
    }

    /** No scorers. */
    public static ScorerRegistry empty() {
        return new ScorerRegistry(new LinkedHashMap<>(), null);
    }

    /** The scorers of {@code settings.dir()}; none when it is null. */
    public static ScorerRegistry load(ScorerSettings settings) {
        Path dir = settings.dir();
        if (dir == null) {
            return empty();
        }
        if (!Files.isDirectory(dir)) {
            throw new ScorerPluginException("the scorer plugin directory " + dir + " is not a directory");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                    .sorted().toList();
        } catch (IOException e) {
            throw new ScorerPluginException("cannot list the scorer plugin directory " + dir + ": " + e, e);
        }
        if (jars.isEmpty()) {
            LOG.info("no scorer plugin jars in {}", dir);
            return empty();
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new ScorerPluginException("cannot load " + jars.get(i) + ": " + e.getMessage(), e);
            }
        }
        URLClassLoader loader = new URLClassLoader("scorer-plugins", urls, Scorer.class.getClassLoader());
        Map<String, ScorerJudge> judges = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        try {
            Iterator<Scorer> providers = ServiceLoader.load(Scorer.class, loader).iterator();
            while (true) {
                Scorer scorer;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    scorer = providers.next();
                } catch (ServiceConfigurationError e) {
                    throw new ScorerPluginException("a scorer in " + dir + " cannot be loaded: " + e.getMessage(), e);
                }
                String origin = scorer.getClass().getName() + " (" + location(scorer) + ")";
                String name;
                try {
                    name = scorer.name();
                } catch (RuntimeException e) {
                    throw new ScorerPluginException("scorer " + origin + " failed to give its name: " + e, e);
                }
                if (name == null || !SAFE_NAME.matcher(name).matches()) {
                    throw new ScorerPluginException("scorer " + origin + " is named \"" + name + "\"; a scorer's name"
                            + " must match " + SAFE_NAME.pattern());
                }
                if (BuiltinJudge.named(name).isPresent()) {
                    throw new ScorerPluginException("scorer " + origin + " is named \"" + name
                            + "\", the name of a builtin judge");
                }
                String earlier = origins.putIfAbsent(name, origin);
                if (earlier != null) {
                    throw new ScorerPluginException("two scorers are named \"" + name + "\": " + earlier + " and "
                            + origin + "; remove one of the jars from " + dir);
                }
                judges.put(name, new ScorerJudge(scorer, name, loader, settings));
            }
        } catch (RuntimeException | Error e) {
            judges.values().forEach(ScorerJudge::close);
            closeQuietly(loader);
            throw e;
        }
        LOG.info("loaded {} scorer(s) from {}: {}", judges.size(), dir, origins);
        return new ScorerRegistry(judges, loader);
    }

    /** The scorer named so, as a judge; a judge that records {@code SCORER_NOT_FOUND} when none is. */
    public Judge judge(String name) {
        Judge judge = judges.get(name);
        return judge != null ? judge : ScorerJudge.notFound(name, names());
    }

    /** The loaded scorers' names, sorted. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(judges.keySet()));
    }

    private static String location(Scorer scorer) {
        CodeSource source = scorer.getClass().getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? "unknown location" : source.getLocation().toString();
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.debug("closing the scorer class loader", e);
        }
    }

    @Override
    public void close() {
        judges.values().forEach(ScorerJudge::close);
        if (loader != null) {
            closeQuietly(loader);
        }
    }

    @Override
    public String toString() {
        return "ScorerRegistry" + new ArrayList<>(names());
    }
}
