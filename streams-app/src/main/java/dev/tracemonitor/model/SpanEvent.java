package dev.tracemonitor.model;

import java.util.Map;

/** An event recorded on a span (e.g. an exception); attribute values are kept as JSON text. */
public record SpanEvent(String name, long timeUnixNano, Map<String, String> attributes) {
    public SpanEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
