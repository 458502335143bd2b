package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpRouterTest {

    private final HttpRouter router = HttpRouter.builder()
            .get("/health/live", request -> HttpReply.json(200, "{\"status\":\"live\"}"))
            .route(HttpMethod.POST, "/things", request -> HttpReply.json(201, "{}"))
            .get("/things", request -> HttpReply.json(200, "[]"))
            .get("/broken", request -> {
                throw new IllegalStateException("boom \"quoted\"");
            })
            .build();

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    }

    private static String body(HttpReply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    @Test
    void routesByMethodAndExactPathIgnoringTheQuery() {
        assertThat(router.route(request(HttpMethod.GET, "/health/live?verbose=1")).reply().status()).isEqualTo(200);
        assertThat(router.route(request(HttpMethod.GET, "/things")).reply().status()).isEqualTo(200);
        assertThat(router.route(request(HttpMethod.POST, "/things")).reply().status()).isEqualTo(201);
    }

    @Test
    void unknownPathIsAJson404() {
        HttpReply reply = router.route(request(HttpMethod.GET, "/health/live/extra")).reply();
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.contentType()).isEqualTo("application/json");
        assertThat(body(reply)).startsWith("{\"error_code\":404,\"message\":\"").contains("/health/live/extra");
    }

    @Test
    void knownPathWithAnotherMethodIsA405ListingTheAllowedOnes() {
        HttpRouter.Routed routed = router.route(request(HttpMethod.DELETE, "/things"));
        assertThat(routed.reply().status()).isEqualTo(405);
        assertThat(routed.allow()).isEqualTo("GET, POST");
        assertThat(body(routed.reply())).startsWith("{\"error_code\":405,").contains("DELETE /things");
    }

    @Test
    void aFailingEndpointIsAJson500WithItsMessageEscaped() {
        HttpReply reply = router.route(request(HttpMethod.GET, "/broken")).reply();
        assertThat(reply.status()).isEqualTo(500);
        assertThat(body(reply)).contains("boom \\\"quoted\\\"").startsWith("{\"error_code\":500,");
    }

    @Test
    void aRouteIsDefinedOnce() {
        assertThatThrownBy(() -> HttpRouter.builder().get("/a", r -> null).get("/a", r -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/a");
        assertThatThrownBy(() -> HttpRouter.builder().get("a", r -> null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonStringsEscapeControlCharacters() {
        assertThat(HttpReply.quote("a\nb\t\u0001\\")).isEqualTo("\"a\\nb\\t\\u0001\\\\\"");
    }
}
