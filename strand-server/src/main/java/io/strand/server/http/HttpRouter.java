package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Maps a request's method and path to the endpoint that answers it.
 *
 * <p>Contract: paths match exactly, after the query string is cut off (no templates or prefixes yet;
 * the REST API will add path parameters). A path no route has is answered 404; a path routed for
 * other methods only, 405 with an {@code Allow} header listing them. Both, and a failure of the
 * endpoint itself (500), are JSON errors ({@link HttpReply#error}). Endpoints run on the HTTP
 * listener's event loop: they must answer quickly and never block on the broker.
 *
 * <p>Built once through {@link Builder}, then immutable and thread-safe.
 */
public final class HttpRouter {

    /** Answers one request. */
    @FunctionalInterface
    public interface Endpoint {
        HttpReply handle(FullHttpRequest request) throws Exception;
    }

    /** A route's outcome: the reply, and for 405 the methods allowed (else empty). */
    public record Routed(HttpReply reply, String allow) {
    }

    private final Map<String, Map<HttpMethod, Endpoint>> routes;

    private HttpRouter(Map<String, Map<HttpMethod, Endpoint>> routes) {
        this.routes = routes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The reply to {@code request}: its endpoint's, or a JSON error. Never throws. */
    public Routed route(FullHttpRequest request) {
        String path = path(request.uri());
        Map<HttpMethod, Endpoint> byMethod = routes.get(path);
        if (byMethod == null) {
            return new Routed(HttpReply.error(404, "HTTP 404 Not Found: no endpoint at " + path), "");
        }
        Endpoint endpoint = byMethod.get(request.method());
        if (endpoint == null) {
            String allow = byMethod.keySet().stream().map(HttpMethod::name)
                    .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining(", "));
            return new Routed(HttpReply.error(405, "HTTP 405 Method Not Allowed: " + request.method().name() + " "
                    + path + " (allowed: " + allow + ")"), allow);
        }
        try {
            return new Routed(endpoint.handle(request), "");
        } catch (Exception e) {
            return new Routed(HttpReply.error(500, "HTTP 500 Internal Server Error: " + e), "");
        }
    }

    /** The path of a request URI: before any {@code ?} or {@code #}. */
    static String path(String uri) {
        int end = uri.length();
        int query = uri.indexOf('?');
        if (query >= 0) {
            end = query;
        }
        int fragment = uri.indexOf('#');
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return uri.substring(0, end);
    }

    /** Collects routes; not thread-safe. */
    public static final class Builder {
        private final Map<String, Map<HttpMethod, Endpoint>> routes = new LinkedHashMap<>();

        /**
         * Routes {@code method path} to {@code endpoint}.
         *
         * @throws IllegalArgumentException if the path does not start with '/' or the route exists
         */
        public Builder route(HttpMethod method, String path, Endpoint endpoint) {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/': path=" + path);
            }
            if (routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).putIfAbsent(method, endpoint) != null) {
                throw new IllegalArgumentException("route exists: method=" + method + " path=" + path);
            }
            return this;
        }

        public Builder get(String path, Endpoint endpoint) {
            return route(HttpMethod.GET, path, endpoint);
        }

        public HttpRouter build() {
            Map<String, Map<HttpMethod, Endpoint>> copy = new LinkedHashMap<>();
            routes.forEach((path, byMethod) -> copy.put(path, Collections.unmodifiableMap(new LinkedHashMap<>(byMethod))));
            return new HttpRouter(Collections.unmodifiableMap(copy));
        }
    }
}
