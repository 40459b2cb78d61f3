package dev.tracemonitor.budget;

import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.model.JudgeBudget;

/**
 * Where the scoring step counts a judge's evaluations against its monitor's budget: the judge it is handed, guarded,
 * is skipped instead of run once the budget of the window is spent.
 */
@FunctionalInterface
public interface JudgeBudgets {

    /** The judge, counted against {@code budget} of the monitor of {@code experimentId}; itself when budget is null. */
    Judge guard(String experimentId, JudgeBudget budget, Judge judge);

    /** No budgets: for callers that are themselves bounded (the CLI's evaluate and backfill, tests). */
    static JudgeBudgets unlimited() {
        return (experimentId, budget, judge) -> judge;
    }
}
