package io.strand.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Maps a request's method and path to the endpoint that answers it.
 *
 * <p>Contract: a route's path is a {@link PathTemplate} (exact segments and {@code {name}}
 * parameters); the query string is cut off before matching. Routes are tried in the order they were
 * added, so a literal route added before a template with the same shape wins. A path no route has is
 * answered 404; a path routed for other methods only, 405 with an {@code Allow} header listing them.
 * Both, a failure of the endpoint (500), and an {@link HttpException} (its status), are JSON errors
 * ({@link HttpReply#error}).
 *
 * <p>Three kinds of endpoint: {@link Endpoint} answers at once on the HTTP event loop (health,
 * metrics: quick and never blocking on the broker); {@link AsyncEndpoint} gets an {@link HttpCall}
 * detached from Netty's buffers and answers with a future, so broker work runs elsewhere and the event
 * loop only writes the answer; {@link StreamEndpoint} answers with a Server-Sent Events stream.
 *
 * <p>Built once through {@link Builder}, then immutable and thread-safe.
 */
public final class HttpRouter {

    /** Answers one request at once, on the event loop. */
    @FunctionalInterface
    public interface Endpoint {
        HttpReply handle(FullHttpRequest request) throws Exception;
    }

    /** Answers one request later: called on the event loop, must return at once. */
    @FunctionalInterface
    public interface AsyncEndpoint {
        CompletionStage<HttpReply> handle(HttpCall call) throws Exception;
    }

    /** Opens an event stream: called on the event loop, must return at once. */
    @FunctionalInterface
    public interface StreamEndpoint {
        CompletionStage<EventStream> open(HttpCall call) throws Exception;
    }

    /**
     * A route's outcome: the reply (for a stream, its 200 header part: status and content type), for
     * 405 the methods allowed (else empty), and the stream to start after the reply, if any.
     */
    public record Routed(HttpReply reply, String allow, EventStream stream) {
        Routed(HttpReply reply, String allow) {
            this(reply, allow, null);
        }
    }

    private interface Handler {
        CompletionStage<Routed> handle(FullHttpRequest request, String path, Map<String, String> params,
                                       HttpCaller caller) throws Exception;
    }

    private record Route(PathTemplate template, Map<HttpMethod, Handler> byMethod) {
    }

    private final List<Route> routes;

    private HttpRouter(List<Route> routes) {
        this.routes = routes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The answer to {@code request}: its endpoint's, or a JSON error. Never throws and never fails:
     * endpoint failures become error replies. Everything read from {@code request} is read before
     * this returns.
     */
    public CompletableFuture<Routed> route(FullHttpRequest request) {
        return route(request, HttpCaller.anonymous(null));
    }

    /** {@link #route(FullHttpRequest)} for a request {@code caller} sent. */
    public CompletableFuture<Routed> route(FullHttpRequest request, HttpCaller caller) {
        String path = path(request.uri());
        List<HttpMethod> allowed = new ArrayList<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = route.template().match(path);
            if (params.isEmpty()) {
                continue;
            }
            Handler handler = route.byMethod().get(request.method());
            if (handler == null) {
                allowed.addAll(route.byMethod().keySet());
                continue;
            }
            CompletionStage<Routed> answer;
            try {
                answer = handler.handle(request, path, params.get(), caller);
            } catch (Exception e) {
                return CompletableFuture.completedFuture(failed(e));
            }
            return answer.toCompletableFuture().handle((routed, failure) -> failure == null ? routed : failed(failure));
        }
        if (allowed.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new Routed(HttpReply.error(404, "HTTP 404 Not Found: no endpoint at " + path), ""));
        }
        String allow = String.join(", ", allowed.stream().map(HttpMethod::name)
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        return CompletableFuture.completedFuture(new Routed(HttpReply.error(405, "HTTP 405 Method Not Allowed: "
                + request.method().name() + " " + path + " (allowed: " + allow + ")"), allow));
    }

    /** Whether a route answers {@code method} at {@code uri}'s path (else routing answers 404 or 405). */
    public boolean serves(HttpMethod method, String uri) {
        String path = path(uri);
        for (Route route : routes) {
            if (route.byMethod().containsKey(method) && route.template().match(path).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private static Routed failed(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpException http) {
            return new Routed(http.reply(), "");
        }
        return new Routed(HttpReply.error(500, "HTTP 500 Internal Server Error: " + cause), "");
    }

    /** Every route as {@code METHOD template}, in the order added (for tests and documentation). */
    public List<String> routes() {
        List<String> all = new ArrayList<>();
        routes.forEach(route -> route.byMethod().keySet().forEach(method ->
                all.add(method.name() + " " + route.template())));
        return all;
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
        private final Map<String, Route> routes = new LinkedHashMap<>();

        private Builder add(HttpMethod method, String path, Handler handler) {
            Route route = routes.computeIfAbsent(path, p -> new Route(PathTemplate.parse(p), new LinkedHashMap<>()));
            if (route.byMethod().putIfAbsent(method, handler) != null) {
                throw new IllegalArgumentException("route exists: method=" + method + " path=" + path);
            }
            return this;
        }

        /**
         * Routes {@code method path} to an endpoint answering on the event loop.
         *
         * @throws IllegalArgumentException if the path is no valid {@link PathTemplate} or the route exists
         */
        public Builder route(HttpMethod method, String path, Endpoint endpoint) {
            return add(method, path, (request, p, params, caller) ->
                    CompletableFuture.completedFuture(new Routed(endpoint.handle(request), "")));
        }

        public Builder get(String path, Endpoint endpoint) {
            return route(HttpMethod.GET, path, endpoint);
        }

        /** Routes {@code method path} to an endpoint answering with a future. */
        public Builder async(HttpMethod method, String path, AsyncEndpoint endpoint) {
            return add(method, path, (request, p, params, caller) ->
                    endpoint.handle(HttpCall.of(request, p, path, params, caller)).thenApply(reply -> new Routed(reply, "")));
        }

        /** Routes {@code GET path} to a Server-Sent Events stream. */
        public Builder stream(String path, StreamEndpoint endpoint) {
            return add(HttpMethod.GET, path, (request, p, params, caller) ->
                    endpoint.open(HttpCall.of(request, p, path, params, caller)).thenApply(stream ->
                            new Routed(new HttpReply(200, "text/event-stream", new byte[0]), "", stream)));
        }

        public HttpRouter build() {
            List<Route> copy = new ArrayList<>();
            routes.values().forEach(route -> copy.add(new Route(route.template(),
                    Collections.unmodifiableMap(new LinkedHashMap<>(route.byMethod())))));
            return new HttpRouter(List.copyOf(copy));
        }
    }
}
