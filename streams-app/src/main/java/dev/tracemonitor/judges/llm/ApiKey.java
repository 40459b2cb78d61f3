package dev.tracemonitor.judges.llm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The judge endpoint's API key, held so that it cannot be printed by accident: {@link #toString()} masks it, errors
 * about a missing key name the environment variable or file but never a value, and {@link #redact(String)} removes it
 * from any text (such as an error body the endpoint echoed) before that text reaches a log or an Assessment.
 */
public final class ApiKey {

    static final String MASK = "****";

    private final String value;

    private ApiKey(String value) {
        this.value = value;
    }

    public static ApiKey of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the API key is empty");
        }
        return new ApiKey(value.strip());
    }

    /** The key in an environment variable of this process. */
    public static ApiKey fromEnvironment(String variable) {
        return fromEnvironment(variable, System.getenv());
    }

    public static ApiKey fromEnvironment(String variable, Map<String, String> environment) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the API key environment variable " + variable + " is not set or empty");
        }
        return new ApiKey(value.strip());
    }

    /** The key in a file (a mounted secret): its whole content, without the trailing newline or spaces. */
    public static ApiKey fromFile(Path file) {
        String value;
        try {
            value = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API key file " + file, e);
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException("the API key file " + file + " is empty");
        }
        return new ApiKey(value.strip());
    }

    /**
     * The key named by configuration: from the environment variable or from the file, whichever is set; null when
     * neither is (an endpoint that needs no key, such as a local vLLM or Ollama). Setting both is an error.
     */
    public static ApiKey resolve(String environmentVariable, String file, Map<String, String> environment) {
        boolean hasVariable = environmentVariable != null && !environmentVariable.isBlank();
        boolean hasFile = file != null && !file.isBlank();
        if (hasVariable && hasFile) {
            throw new IllegalArgumentException(
                    "set either the API key environment variable or the API key file, not both");
        }
        if (hasVariable) {
            return fromEnvironment(environmentVariable.strip(), environment);
        }
        return hasFile ? fromFile(Path.of(file.strip())) : null;
    }

    String value() {
        return value;
    }

    /** The text with every occurrence of the key replaced by {@value #MASK}; null stays null. */
    public String redact(String text) {
        return text == null ? null : text.replace(value, MASK);
    }

    @Override
    public String toString() {
        return "ApiKey[" + MASK + "]";
    }
}
