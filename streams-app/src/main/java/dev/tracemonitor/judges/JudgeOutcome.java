package dev.tracemonitor.judges;

import java.util.List;

/**
 * What one judge said about one trace: its verdicts, or that it does not apply (e.g. groundedness on a trace with
 * no retriever span), in which case no feedback is produced and the reason is counted.
 */
public record JudgeOutcome(List<Verdict> verdicts, String notApplicableReason) {

    public JudgeOutcome {
        verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
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

    public boolean applicable() {
        return notApplicableReason == null;
    }
}
