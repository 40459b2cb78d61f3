package dev.tracemonitor.judges;

import dev.tracemonitor.model.RetrieverCall;
import dev.tracemonitor.model.Trace;
import dev.tracemonitor.model.TraceText;
import java.util.List;

/**
 * What the builtin judges read from a trace ({@link TraceText}): the request and response text and the top-level
 * retriever calls. Each is extracted on first use and kept, so that {@link BuiltinJudge#notApplicableReason} and the
 * judge after it read the trace once, and a judge reads only the parts it needs; with the task's {@link CallMemo}. For
 * one evaluation: not thread-safe.
 */
public final class JudgeInputs {

    private final Trace trace;
    private final CallMemo memo;
    private String request;
    private boolean requestRead;
    private String response;
    private boolean responseRead;
    private List<RetrieverCall> retrievals;

    public JudgeInputs(Trace trace) {
        this(trace, CallMemo.fresh());
    }

    public JudgeInputs(Trace trace, CallMemo memo) {
        this.trace = trace;
        this.memo = memo;
    }

    /** The replies this task's earlier attempts received. */
    public CallMemo memo() {
        return memo;
    }

    /** The request text, or null when the trace has none. */
    public String request() {
        if (!requestRead) {
            request = TraceText.request(trace);
            requestRead = true;
        }
        return request;
    }

    /** The response text, or null when the trace has none. */
    public String response() {
        if (!responseRead) {
            response = TraceText.response(trace);
            responseRead = true;
        }
        return response;
    }

    /** Each RETRIEVER span with no RETRIEVER ancestor, with its documents; empty when there is none. */
    public List<RetrieverCall> retrievals() {
        if (retrievals == null) {
            retrievals = TraceText.topLevelRetrievals(trace);
        }
        return retrievals;
    }
}
