package dev.tracemonitor.testing.fakellm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracemonitor.model.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FakeOpenAiServerTest {

    private static final String REQUEST = """
            {"model": "m1", "messages": [{"role": "system", "content": "Judge."},
             {"role": "user", "content": [{"type": "text", "text": "Is this FAKE_JUDGE_SAYS_NO fine?"}]}]}""";

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void answersAChatCompletionAndRecordsTheRequest() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            HttpResponse<String> response = post(server.baseUrl() + "/chat/completions", REQUEST, "Bearer k");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = Json.MAPPER.readTree(response.body());
            assertThat(body.path("object").asText()).isEqualTo("chat.completion");
            assertThat(body.path("model").asText()).isEqualTo("m1");
            assertThat(body.path("usage").path("total_tokens").asInt()).isPositive();
            JsonNode verdict = Json.MAPPER.readTree(body.path("choices").path(0).path("message").path("content")
                    .asText());
            assertThat(verdict.path("result").asText()).isEqualTo("no");

            RecordedRequest recorded = server.lastRequest();
            assertThat(recorded.index()).isZero();
            assertThat(recorded.model()).isEqualTo("m1");
            assertThat(recorded.system()).isEqualTo("Judge.");
            assertThat(recorded.user()).isEqualTo("Is this FAKE_JUDGE_SAYS_NO fine?");
            assertThat(recorded.hasAuthorization()).isTrue();
            assertThat(recorded.toString()).doesNotContain("Bearer");
        }
    }

    @Test
    void anUnknownModelGets404AndIsRecordedAsAsked() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(Behavior.verdicts("X").onlyForModels(Set.of("m1")))) {
            HttpResponse<String> known = post(server.baseUrl() + "/chat/completions", REQUEST, null);
            HttpResponse<String> unknown = post(server.baseUrl() + "/chat/completions",
                    REQUEST.replace("\"m1\"", "\"m2\""), null);

            assertThat(known.statusCode()).isEqualTo(200);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(Json.MAPPER.readTree(unknown.body()).path("error").path("message").asText())
                    .isEqualTo("The model `m2` does not exist or you do not have access to it.");
            assertThat(server.requests()).extracting(RecordedRequest::model).containsExactly("m1", "m2");
        }
    }

    @Test
    void servesTheUnversionedPathAndRejectsOthers() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            String root = "http://127.0.0.1:" + server.port();

            assertThat(post(root + "/chat/completions", REQUEST, null).statusCode()).isEqualTo(200);
            assertThat(post(root + "/v1/embeddings", REQUEST, null).statusCode()).isEqualTo(404);
            assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.hasAuthorization()).isFalse());
        }
    }

    @Test
    void scriptedFailuresCarryTheirStatusAndHeaders() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(Behavior.sequence(
                Reply.rateLimited(Duration.ofSeconds(4)), Reply.serverError(), Reply.yes().after(Duration.ofMillis(200))))) {
            String url = server.baseUrl() + "/chat/completions";

            HttpResponse<String> limited = post(url, REQUEST, null);
            HttpResponse<String> failed = post(url, REQUEST, null);
            long start = System.nanoTime();
            HttpResponse<String> slow = post(url, REQUEST, null);

            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).contains("4");
            assertThat(Json.MAPPER.readTree(limited.body()).path("error").path("message").asText())
                    .isEqualTo("Rate limit reached for requests");
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(slow.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(server.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void aRequiredKeyIsCheckedWithoutKeepingIt() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.builder().apiKey("right").start()) {
            String url = server.baseUrl() + "/chat/completions";

            assertThat(post(url, REQUEST, "Bearer right").statusCode()).isEqualTo(200);
            assertThat(post(url, REQUEST, "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(server.requests()).extracting(RecordedRequest::authorized).containsExactly(true, false);
        }
    }

    @Test
    void refusesConnectionsForAPeriodThenAnswersOnTheSamePort() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            String url = server.baseUrl() + "/chat/completions";
            server.refuseConnectionsFor(Duration.ofMillis(500));
            assertThat(server.refusingConnections()).isTrue();
            assertThatThrownBy(() -> post(url, REQUEST, null)).isInstanceOf(java.net.ConnectException.class);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !server.refusingConnections());
            assertThat(post(url, REQUEST, null).statusCode()).isEqualTo(200);
            assertThat(server.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void throttlesRequestsAboveItsCapacityAndCountsThemPerWindow() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(Behavior.always(Reply.yes()).throttledAbove(2))) {
            String url = server.baseUrl() + "/chat/completions";
            HttpResponse<String> first = post(url, REQUEST, null);
            HttpResponse<String> second = post(url, REQUEST, null);
            HttpResponse<String> third = post(url, REQUEST, null);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(server.maxRequestsInAnyWindow(Duration.ofMinutes(1))).isEqualTo(3);
            assertThat(server.maxRequestsInAnyWindow(Duration.ofNanos(1))).isEqualTo(1);
        }
    }

    private HttpResponse<String> post(String url, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
