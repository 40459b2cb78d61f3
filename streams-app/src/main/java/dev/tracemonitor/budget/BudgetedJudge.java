package dev.tracemonitor.budget;

import dev.tracemonitor.judges.CallMemo;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.JudgeOutcome;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.AssessmentSource;
import dev.tracemonitor.model.JudgeBudget;
import dev.tracemonitor.model.Trace;

/**
 * One (trace, judge) task's judge, counted against its monitor's budget: before the first attempt it checks the day's
 * tokens and reserves one of the hour's calls on the ledger (a retry of the same task reuses the reservation); over
 * budget it returns a skipped outcome, which gives no Assessment. After the call it records the tokens the verdicts
 * report.
 */
final class BudgetedJudge implements Judge {

    private final BudgetLedger ledger;
    private final String experimentId;
    private final JudgeBudget budget;
    private final Judge judge;
    private volatile boolean reserved;

    BudgetedJudge(BudgetLedger ledger, String experimentId, JudgeBudget budget, Judge judge) {
        this.ledger = ledger;
        this.experimentId = experimentId;
        this.budget = budget;
        this.judge = judge;
    }

    @Override
    public String name() {
        return judge.name();
    }

    @Override
    public AssessmentSource source() {
        return judge.source();
    }

    @Override
    public boolean acceptsCalls() {
        return judge.acceptsCalls();
    }

    @Override
    public JudgeOutcome evaluate(Trace trace) throws Exception {
        return evaluate(trace, CallMemo.fresh());
    }

    @Override
    public JudgeOutcome evaluate(Trace trace, CallMemo memo) throws Exception {
        if (!reserved) {
            Long tokens = budget.maxTokensPerDay();
            if (tokens != null && !ledger.tokensLeft(experimentId, tokens)) {
                return ledger.skip(experimentId, judge.name(), BudgetLedger.Kind.TOKENS, tokens);
            }
            Long calls = budget.maxCallsPerHour();
            if (calls != null && !ledger.reserveCall(experimentId, calls)) {
                return ledger.skip(experimentId, judge.name(), BudgetLedger.Kind.CALLS, calls);
            }
            reserved = true;
        }
        JudgeOutcome outcome = judge.evaluate(trace, memo);
        if (budget.maxTokensPerDay() != null) {
            long spent = 0;
            for (Verdict verdict : outcome.verdicts()) {
                spent += tokens(verdict, Verdict.INPUT_TOKENS_KEY) + tokens(verdict, Verdict.OUTPUT_TOKENS_KEY);
            }
            if (spent > 0) {
                ledger.spendTokens(experimentId, spent, budget.maxTokensPerDay());
            }
        }
        return outcome;
    }

    private static long tokens(Verdict verdict, String key) {
        String value = verdict.metadata().get(key);
        try {
            return value == null ? 0 : Math.max(0, Long.parseLong(value));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
