package dev.tracemonitor.scoring;

import dev.tracemonitor.sampling.Sampler.JudgeSpec;

/** One (trace, judge) unit of scoring work; its key names it in the store of results. */
public record JudgeTask(String traceId, JudgeSpec judge, long configVersion) {

    public String key() {
        return resultKey(traceId, judge.name());
    }

    public static String resultKey(String traceId, String judgeName) {
        return traceId + '\u0000' + judgeName;
    }
}
