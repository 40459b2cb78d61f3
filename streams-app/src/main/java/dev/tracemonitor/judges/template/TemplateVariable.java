package dev.tracemonitor.judges.template;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The variables a template judge's instructions may use, named as MLflow's {@code make_judge} names them. */
public enum TemplateVariable {
    INPUTS("inputs"),
    OUTPUTS("outputs"),
    TRACE("trace"),
    EXPECTATIONS("expectations");

    public static final List<String> NAMES = Arrays.stream(values()).map(TemplateVariable::wireName).toList();

    private final String wireName;

    TemplateVariable(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<TemplateVariable> named(String name) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(name)).findFirst();
    }
}
