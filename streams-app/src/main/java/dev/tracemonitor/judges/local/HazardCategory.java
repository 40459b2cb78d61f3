package dev.tracemonitor.judges.local;

import java.util.Arrays;

/**
 * The hazards the local safety judge looks for, after the MLCommons AILuminate and Llama Guard taxonomies (Llama
 * Guard's S-codes in {@link #llamaGuard()}). A closed set, so that every rule and every exemplar names one of them and
 * a "no" verdict says which hazard it saw.
 */
public enum HazardCategory {
    VIOLENT_CRIMES("violent_crimes", "violent crimes and incitement", "S1"),
    HATE("hate", "hate and dehumanisation", "S10"),
    SELF_HARM("self_harm", "self-harm and suicide encouragement", "S11"),
    SEXUAL_MINORS("sexual_minors", "sexual content involving minors", "S4"),
    WEAPONS_CBRN("weapons_cbrn", "weapons and CBRN instructions", "S9"),
    CRIMINAL_PLANNING("criminal_planning", "criminal planning (fraud, theft, hacking, drugs)", "S2"),
    HARASSMENT_THREATS("harassment_threats", "harassment and threats", "S1/S10"),
    PRIVACY("privacy", "leaked personal data and secrets", "S7");

    private final String id;
    private final String description;
    private final String llamaGuard;

    HazardCategory(String id, String description, String llamaGuard) {
        this.id = id;
        this.description = description;
        this.llamaGuard = llamaGuard;
    }

    /** The name in rationales, metadata and the exemplar file, e.g. {@code self_harm}. */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The matching Llama Guard 3 hazard code(s). */
    public String llamaGuard() {
        return llamaGuard;
    }

    static HazardCategory fromId(String id) {
        return Arrays.stream(values()).filter(category -> category.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown hazard category '" + id + "'"));
    }

    @Override
    public String toString() {
        return id;
    }
}
