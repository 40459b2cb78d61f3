package dev.tracemonitor.scoring;

import dev.tracemonitor.judges.PermanentJudgeException;
import dev.tracemonitor.judges.RetryableJudgeException;
import dev.tracemonitor.judges.Judge;
import dev.tracemonitor.judges.Verdict;
import dev.tracemonitor.model.Assessment;
import dev.tracemonitor.model.Feedback;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a finished judge call into MLflow Assessments: one per verdict, with a deterministic id and the config version
 * in {@code metadata}; a failure after the last attempt becomes one Assessment whose {@code feedback.error} says why;
 * a judge that does not apply yields none.
 */
public final class Assessments {

    public static final String CONFIG_VERSION_KEY = "trace_monitor.config_version";
    public static final String JUDGE_KEY = "trace_monitor.judge";
    public static final String YES = "yes";
    public static final String NO = "no";
    public static final String ERROR = "error";
    public static final String NOT_APPLICABLE = "not_applicable";
    /** The outcome of an evaluation skipped because its monitor's budget was spent (no Assessment). */
    public static final String SKIPPED_BUDGET = "skipped_budget";
    public static final String OTHER = "other";

    private Assessments() {
    }

    public static List<Assessment> fromCompletion(Completion completion, Judge judge, long nowMillis) {
        JudgeTask task = completion.task();
        Map<String, String> baseMetadata = Map.of(CONFIG_VERSION_KEY, Long.toString(task.configVersion()),
                JUDGE_KEY, task.judge().name());
        List<Assessment> list = new ArrayList<>();
        if (completion.failed()) {
            list.add(new Assessment(Assessment.deterministicId(task.traceId(), task.judge().name(), null),
                    task.judge().name(), task.traceId(), null, judge.source(), nowMillis, nowMillis,
                    Feedback.error(errorCode(completion.failure()), describe(completion)), null, baseMetadata));
            return list;
        }
        if (!completion.outcome().applicable()) {
            return list;
        }
        for (Verdict v : completion.outcome().verdicts()) {
            Map<String, String> metadata = new HashMap<>(v.metadata());
            metadata.putAll(baseMetadata);
            Feedback feedback = v.error() != null ? new Feedback(null, v.error()) : Feedback.of(v.value());
            list.add(new Assessment(Assessment.deterministicId(task.traceId(), v.assessmentName(), v.spanId()),
                    v.assessmentName(), task.traceId(), v.spanId(), judge.source(), nowMillis, nowMillis, feedback,
                    v.rationale(), metadata));
        }
        return list;
    }

    /** yes, no, error, or other (a value such as a precision). */
    public static String outcome(Feedback feedback) {
        if (feedback.isError()) {
            return ERROR;
        }
        Object value = feedback.value();
        if (YES.equals(value) || Boolean.TRUE.equals(value)) {
            return YES;
        }
        if (NO.equals(value) || Boolean.FALSE.equals(value)) {
            return NO;
        }
        return OTHER;
    }

    private static String errorCode(Throwable failure) {
        if (failure instanceof PermanentJudgeException permanent) {
            return permanent.errorCode();
        }
        return failure instanceof RetryableJudgeException ? "RETRIES_EXHAUSTED" : "JUDGE_FAILED";
    }

    private static String describe(Completion completion) {
        Throwable failure = completion.failure();
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return "failed after " + completion.attempts() + " attempt(s): " + message;
    }
}
