package dev.tracemonitor.testing.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.model.Json;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One request {@link FakeOpenAiServer} received, for assertions: its 0-based arrival index, path, model and messages
 * as parsed from the body, the raw body (the JSON the client sent), and whether an Authorization header was present
 * and matched the server's expected key. The header's value itself is never kept.
 */
public record RecordedRequest(int index, String path, String model, List<Message> messages, String body,
                              boolean hasAuthorization, boolean authorized) {

    public record Message(String role, String content) {
    }

    public RecordedRequest {
        messages = List.copyOf(messages);
    }

    /** The content of the messages with this role, joined by blank lines. */
    public String contentOf(String role) {
        return messages.stream()
                .filter(message -> role.equals(message.role()))
                .map(Message::content)
                .collect(Collectors.joining("\n\n"));
    }

    public String system() {
        return contentOf("system");
    }

    public String user() {
        return contentOf("user");
    }

    /** Every message's content, joined. */
    public String text() {
        return messages.stream().map(Message::content).collect(Collectors.joining("\n\n"));
    }

    public JsonNode json() {
        return Json.parseOrNull(body);
    }
}
