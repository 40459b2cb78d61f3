/**
 * The stable surface of trace-monitor's code scorers: what a scorer plugin may use, and all it may use.
 *
 * <p>A plugin is a jar holding one or more {@link dev.tracemonitor.scorer.Scorer} implementations (each with a public
 * no-argument constructor) named in {@code META-INF/services/dev.tracemonitor.scorer.Scorer}. The service loads every
 * {@code *.jar} of its {@code trace-monitor.scorers.dir} with {@link java.util.ServiceLoader}, and a monitor names a
 * scorer in its assessments ({@code {"scorer": "pii_leak", "sample_rate": 1.0}}). A scorer gets each sampled trace as
 * a read-only {@link dev.tracemonitor.scorer.ScoredTrace} and returns a {@link dev.tracemonitor.scorer.ScorerResult}:
 * feedback (a value, a rationale, optionally the span it is about) or that it does not apply.
 *
 * <p>This package has no dependencies and changes only compatibly: types and methods are added, never removed or
 * changed, within a major version. Nothing else of trace-monitor ({@code dev.tracemonitor.*} outside this package) is
 * part of the plugin contract.
 */
package dev.tracemonitor.scorer;
