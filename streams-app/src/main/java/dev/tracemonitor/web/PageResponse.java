package dev.tracemonitor.web;

import java.nio.charset.StandardCharsets;

/** What the page answers to one request: status, media type and body; the HTTP server adds the headers. */
public record PageResponse(int status, String contentType, byte[] body) {

    static PageResponse text(int status, String message) {
        return new PageResponse(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
