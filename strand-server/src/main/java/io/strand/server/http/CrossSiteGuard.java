package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URI;
import java.util.Locale;

/**
 * Keeps other web sites from changing the cluster through a browser that can reach the node: a page
 * anywhere may make its visitor's browser send a form or a {@code text/plain} POST to
 * {@code localhost:8080}, which would create topics, produce or reset offsets.
 *
 * <p>Contract: requests that only read (GET, HEAD, OPTIONS) pass. A request that changes something is
 * refused 403 when the browser says it comes from another site: an {@code Origin} header whose host and
 * port are not the {@code Host} it was sent to, or {@code Sec-Fetch-Site: cross-site}. One with a body
 * is refused 415 unless the body is JSON ({@code application/json} or {@code application/*+json}), which
 * a page on another site cannot send without the browser asking the node first (CORS preflight, which
 * the node never grants). Clients that are not browsers send no {@code Origin} and pass. Stateless.
 */
final class CrossSiteGuard {

    private CrossSiteGuard() {
    }

    /** The refusal for {@code request}, or null if it may be served. */
    static HttpReply refusal(FullHttpRequest request) {
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS)) {
            return null;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        String host = request.headers().get(HttpHeaderNames.HOST);
        if ("cross-site".equalsIgnoreCase(request.headers().get("Sec-Fetch-Site"))
                || origin != null && !sameHost(origin, host)) {
            return HttpReply.error(403, "HTTP 403 Forbidden: a request from another site may not change the cluster"
                    + " (Origin=" + origin + ", Host=" + host + ")");
        }
        if (request.content().isReadable() && !isJson(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            return HttpReply.error(415, "HTTP 415 Unsupported Media Type: the body must be application/json, not "
                    + request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        }
        return null;
    }

    /** Whether {@code origin} (scheme://host[:port]) names {@code host} (host[:port]) as the request reached it. */
    static boolean sameHost(String origin, String host) {
        if (host == null || "null".equals(origin)) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null) {
                return false;
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            String expected = uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
            String actual = host.toLowerCase(Locale.ROOT);
            if (actual.indexOf(':', actual.lastIndexOf(']') + 1) < 0) {
                actual = actual + ":" + ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
            }
            return expected.equals(actual);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }
}
