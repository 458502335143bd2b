package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CrossSiteGuardTest {

    private static FullHttpRequest request(HttpMethod method, String body, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/v3/clusters/c/topics",
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        request.headers().set("Host", "localhost:8080");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static Integer status(FullHttpRequest request) {
        HttpReply refusal = CrossSiteGuard.refusal(request);
        return refusal == null ? null : refusal.status();
    }

    @Test
    void readsPassFromAnywhere() {
        assertThat(status(request(HttpMethod.GET, "", "Origin", "https://evil.example"))).isNull();
    }

    @Test
    void changesFromAnotherSiteAreRefused() {
        assertThat(status(request(HttpMethod.POST, "{}", "Content-Type", "application/json",
                "Origin", "https://evil.example"))).isEqualTo(403);
        assertThat(status(request(HttpMethod.DELETE, "", "Origin", "http://localhost:9999"))).isEqualTo(403);
        assertThat(status(request(HttpMethod.DELETE, "", "Sec-Fetch-Site", "cross-site"))).isEqualTo(403);
        assertThat(status(request(HttpMethod.DELETE, "", "Origin", "null"))).isEqualTo(403);
    }

    @Test
    void changesFromTheConsoleItselfOrFromNonBrowsersPass() {
        assertThat(status(request(HttpMethod.POST, "{}", "Content-Type", "application/json; charset=utf-8",
                "Origin", "http://localhost:8080"))).isNull();
        assertThat(status(request(HttpMethod.POST, "{}", "Content-Type", "application/json"))).isNull();
        assertThat(status(request(HttpMethod.DELETE, ""))).isNull();
    }

    @Test
    void aBodyThatIsNotJsonIsRefused() {
        assertThat(status(request(HttpMethod.POST, "{\"topic_name\":\"t\"}", "Content-Type", "text/plain")))
                .isEqualTo(415);
        assertThat(status(request(HttpMethod.POST, "{}"))).isEqualTo(415);
        assertThat(status(request(HttpMethod.POST, "{}", "Content-Type", "application/vnd.api+json"))).isNull();
    }

    @Test
    void hostsCompareWithDefaultPorts() {
        assertThat(CrossSiteGuard.sameHost("http://localhost", "localhost:80")).isTrue();
        assertThat(CrossSiteGuard.sameHost("http://localhost:8080", "LOCALHOST:8080")).isTrue();
        assertThat(CrossSiteGuard.sameHost("http://[::1]:8080", "[::1]:8080")).isTrue();
        assertThat(CrossSiteGuard.sameHost("http://localhost:8080", "127.0.0.1:8080")).isFalse();
    }
}
