package dev.tracemonitor.judges;

/**
 * A judge call that will fail the same way if repeated (e.g. HTTP 400/401/403, a reply that is not the JSON the judge
 * asked for): the scoring engine does not retry it and writes an error Assessment with this message at once.
 */
public class PermanentJudgeException extends Exception {

    private final String errorCode;

    public PermanentJudgeException(String errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public String errorCode() {
        return errorCode;
    }
}
