package dev.tracemonitor.model;

/**
 * A judge's result: a value ({@code "yes"}/{@code "no"}, or a number such as a precision) or an error.
 * Exactly one of the two is set.
 */
public record Feedback(Object value, AssessmentError error) {

    public static Feedback of(Object value) {
        return new Feedback(value, null);
    }

    public static Feedback error(String code, String message) {
        return new Feedback(null, new AssessmentError(code, message));
    }

    public boolean isError() {
        return error != null;
    }
}
