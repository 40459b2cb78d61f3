package dev.tracemonitor.serde;

import dev.tracemonitor.model.ReceivedTrace;
import dev.tracemonitor.model.Trace;

/** Decodes MLflow's trace JSON ({@code Trace.to_json()}), the default format of the traces topic. */
public final class JsonTraceDecoder implements TraceDecoder {

    @Override
    public Trace decode(String topic, byte[] value) {
        return TraceJsonCodec.decode(value);
    }

    @Override
    public ReceivedTrace decodeReceived(String topic, byte[] value) {
        return TraceJsonCodec.decodeReceived(value);
    }
}
