package dev.tracemonitor.judges;

import java.util.List;

/**
 * What one judge said about one trace: its verdicts, or that it does not apply (e.g. groundedness on a trace with
 * no retriever span), or that it was skipped because its monitor's budget was spent; in the last two cases no
 * feedback is produced and the reason is counted.
 */
public record JudgeOutcome(List<Verdict> verdicts, String notApplicableReason, String skippedReason) {

    public JudgeOutcome {
        verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
    }

    public JudgeOutcome(List<Verdict> verdicts, String notApplicableReason) {
        this(verdicts, notApplicableReason, null);
    }

    public static JudgeOutcome of(List<Verdict> verdicts) {
        return new JudgeOutcome(verdicts, null);
    }

    public static JudgeOutcome of(Verdict verdict) {
        return new JudgeOutcome(List.of(verdict), null);
    }

    public static JudgeOutcome notApplicable(String reason) {
        return new JudgeOutcome(List.of(), reason);
    }

    /** Not judged: the monitor's budget for the window is spent ({@code reason} says which and until when). */
    public static JudgeOutcome skippedOverBudget(String reason) {
        return new JudgeOutcome(List.of(), null, reason);
    }

    /** Whether the judge gave verdicts (none when it did not apply or was skipped). */
    public boolean applicable() {
        return notApplicableReason == null && skippedReason == null;
    }

    public boolean skipped() {
        return skippedReason != null;
    }

    /** Why there are no verdicts: the not-applicable or the skipped reason; null when there are. */
    public String noVerdictReason() {
        return notApplicableReason != null ? notApplicableReason : skippedReason;
    }
}
