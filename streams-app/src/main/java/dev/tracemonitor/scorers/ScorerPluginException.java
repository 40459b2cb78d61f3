package dev.tracemonitor.scorers;

/** The plugin directory cannot be loaded as it is (two scorers with one name, a bad jar, a provider that fails). */
public class ScorerPluginException extends RuntimeException {

    public ScorerPluginException(String message) {
        super(message);
    }

    public ScorerPluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
