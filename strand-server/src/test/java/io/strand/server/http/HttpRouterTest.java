package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
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

    private HttpRouter.Routed route(FullHttpRequest request) {
        return route(router, request);
    }

    private static HttpRouter.Routed route(HttpRouter router, FullHttpRequest request) {
        CompletableFuture<HttpRouter.Routed> answer = router.route(request);
        assertThat(answer).isDone();
        return answer.join();
    }

    private static String body(HttpReply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    @Test
    void routesByMethodAndExactPathIgnoringTheQuery() {
        assertThat(route(request(HttpMethod.GET, "/health/live?verbose=1")).reply().status()).isEqualTo(200);
        assertThat(route(request(HttpMethod.GET, "/things")).reply().status()).isEqualTo(200);
        assertThat(route(request(HttpMethod.POST, "/things")).reply().status()).isEqualTo(201);
    }

    @Test
    void unknownPathIsAJson404() {
        HttpReply reply = route(request(HttpMethod.GET, "/health/live/extra")).reply();
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.contentType()).isEqualTo("application/json");
        assertThat(body(reply)).startsWith("{\"error_code\":404,\"message\":\"").contains("/health/live/extra");
    }

    @Test
    void knownPathWithAnotherMethodIsA405ListingTheAllowedOnes() {
        HttpRouter.Routed routed = route(request(HttpMethod.DELETE, "/things"));
        assertThat(routed.reply().status()).isEqualTo(405);
        assertThat(routed.allow()).isEqualTo("GET, POST");
        assertThat(body(routed.reply())).startsWith("{\"error_code\":405,").contains("DELETE /things");
    }

    @Test
    void aFailingEndpointIsAJson500WithItsMessageEscaped() {
        HttpReply reply = route(request(HttpMethod.GET, "/broken")).reply();
        assertThat(reply.status()).isEqualTo(500);
        assertThat(body(reply)).contains("boom \\\"quoted\\\"").startsWith("{\"error_code\":500,");
    }

    @Test
    void aTrailingSlashIsPartOfThePath() {
        HttpRouter slashed = HttpRouter.builder()
                .get("/ui/", request -> HttpReply.json(200, "\"slash\""))
                .get("/ui", request -> HttpReply.json(200, "\"bare\""))
                .build();
        assertThat(body(route(slashed, request(HttpMethod.GET, "/ui/?x=1")).reply())).isEqualTo("\"slash\"");
        assertThat(body(route(slashed, request(HttpMethod.GET, "/ui")).reply())).isEqualTo("\"bare\"");
        assertThat(route(slashed, request(HttpMethod.GET, "/ui//")).reply().status()).isEqualTo(404);
        assertThat(route(request(HttpMethod.GET, "/things/")).reply().status()).isEqualTo(404);
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

    private final HttpRouter templates = HttpRouter.builder()
            .async(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics/{topic_name}",
                    call -> CompletableFuture.completedFuture(HttpReply.json(200, call.pathParams().toString())))
            .async(HttpMethod.DELETE, "/v3/clusters/{cluster_id}/topics/{topic_name}",
                    call -> CompletableFuture.completedFuture(HttpReply.json(204, "")))
            .async(HttpMethod.POST, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs:alter",
                    call -> CompletableFuture.completedFuture(HttpReply.json(200, "alter " + call.param("topic_name"))))
            .async(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}",
                    call -> CompletableFuture.completedFuture(HttpReply.json(200, "config " + call.param("name"))))
            .async(HttpMethod.GET, "/later", call -> new CompletableFuture<>())
            .async(HttpMethod.GET, "/fails", call -> CompletableFuture.failedFuture(new HttpException(409, "TOPIC_ALREADY_EXISTS: t")))
            .build();

    @Test
    void templatesBindEachParameterToOneDecodedSegment() {
        HttpRouter.Routed routed = route(templates, request(HttpMethod.GET, "/v3/clusters/c1/topics/my%2Ftopic+x?x=1"));
        assertThat(body(routed.reply())).isEqualTo("{cluster_id=c1, topic_name=my/topic+x}");
        assertThat(body(route(templates, request(HttpMethod.GET, "/v3/clusters/c/topics/t/configs/retention.ms")).reply()))
                .isEqualTo("config retention.ms");
        assertThat(body(route(templates, request(HttpMethod.POST, "/v3/clusters/c/topics/t/configs:alter")).reply()))
                .isEqualTo("alter t");
    }

    @Test
    void templatesNeedEverySegmentAndNoMore() {
        assertThat(route(templates, request(HttpMethod.GET, "/v3/clusters/c/topics")).reply().status()).isEqualTo(404);
        assertThat(route(templates, request(HttpMethod.GET, "/v3/clusters/c/topics/t/extra")).reply().status()).isEqualTo(404);
        assertThat(route(templates, request(HttpMethod.GET, "/v3/clusters//topics/t")).reply().status()).isEqualTo(404);
        assertThat(route(templates, request(HttpMethod.GET, "/v3/clusters/c/topics/")).reply().status()).isEqualTo(404);
        assertThat(route(templates, request(HttpMethod.GET, "/v3/clusters/c/topics/t/")).reply().status()).isEqualTo(404);
        assertThat(route(templates, request(HttpMethod.GET, "/v3/clusters/c/topics/%zz")).reply().status()).isEqualTo(404);
        assertThat(route(templates, request(HttpMethod.GET, "/v3/clusters/c/topics/t/configs:other")).reply().status()).isEqualTo(404);
    }

    @Test
    void templatesAnswer405WithTheMethodsOfTheMatchingTemplate() {
        HttpRouter.Routed routed = route(templates, request(HttpMethod.PUT, "/v3/clusters/c/topics/t"));
        assertThat(routed.reply().status()).isEqualTo(405);
        assertThat(routed.allow()).isEqualTo("DELETE, GET");
    }

    @Test
    void asyncEndpointsAnswerWhenTheirFutureCompletesAndFailuresAreJsonErrors() {
        assertThat(templates.route(request(HttpMethod.GET, "/later"))).isNotDone();
        HttpReply failed = route(templates, request(HttpMethod.GET, "/fails")).reply();
        assertThat(failed.status()).isEqualTo(409);
        assertThat(body(failed)).isEqualTo("{\"error_code\":409,\"message\":\"TOPIC_ALREADY_EXISTS: t\"}");
    }

    @Test
    void badTemplatesAreRefused() {
        assertThatThrownBy(() -> HttpRouter.builder().get("/a/x{b}", r -> null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRouter.builder().get("/a/{}", r -> null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRouter.builder().get("/a/{b}/{b}", r -> null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRouter.builder().get("/a//b", r -> null)).isInstanceOf(IllegalArgumentException.class);
    }
}
