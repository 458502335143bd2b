package io.strand.server.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request as an asynchronous endpoint sees it, detached from Netty's buffers (which are released
 * once the event loop returns): method, path, the route's path parameters, the query parameters,
 * the {@code Host} header, a copy of the body and who sent it. Immutable.
 *
 * @param method     the request method
 * @param path       the path, without query
 * @param route      the template of the route that matched ({@code /v3/clusters/{cluster_id}/topics})
 * @param pathParams the template's parameters, decoded
 * @param query      the query parameters, decoded, every value of each
 * @param host       the {@code Host} header, or empty
 * @param body       the body's bytes (empty when none)
 * @param caller     who sent it, as the listener's {@link HttpGate} admitted it
 */
public record HttpCall(HttpMethod method, String path, String route, Map<String, String> pathParams,
                       Map<String, List<String>> query, String host, byte[] body, HttpCaller caller) {

    static HttpCall of(FullHttpRequest request, String path, String route, Map<String, String> pathParams,
                       HttpCaller caller) {
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        String host = request.headers().get(HttpHeaderNames.HOST, "");
        return new HttpCall(request.method(), path, route, pathParams, query, host, ByteBufUtil.getBytes(request.content()),
                caller);
    }

    /** {@code METHOD path}, as the authorizer log names the request. */
    public String describe() {
        return method.name() + " " + path;
    }

    /** The path parameter {@code name}; the route guarantees it is there. */
    public String param(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no path parameter: name=" + name + " path=" + path);
        }
        return value;
    }

    /** The first value of query parameter {@code name}, if given. */
    public Optional<String> queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
