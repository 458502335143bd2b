package io.strand.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What an endpoint answers: a status, a content type and the body's bytes. Errors are JSON in the
 * shape of Confluent REST Proxy v3's: {@code {"error_code":404,"message":"..."}}.
 *
 * @param status      the HTTP status code
 * @param contentType the body's media type
 * @param body        the body (not copied: the caller hands it over)
 * @param headers     further response headers by name (ETag, Cache-Control, Location …); the content
 *                    type and length are set from the other components
 */
public record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json";

    public HttpReply {
        headers = Map.copyOf(headers);
    }

    /** A reply without further headers. */
    public HttpReply(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    /** A JSON body given as text. */
    public static HttpReply json(int status, String json) {
        return new HttpReply(status, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A REST Proxy v3 error: {@code {"error_code":status,"message":message}}. */
    public static HttpReply error(int status, String message) {
        return json(status, "{\"error_code\":" + status + ",\"message\":" + quote(message) + "}");
    }

    /** {@code text} as a JSON string literal, quotes included. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
