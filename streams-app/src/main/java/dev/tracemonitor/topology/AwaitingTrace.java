package dev.tracemonitor.topology;

/** A trace in the scoring store until all its judges have answered or its deadline passes. */
record AwaitingTrace(PlannedTrace plan, long deadlineMillis) {
}
