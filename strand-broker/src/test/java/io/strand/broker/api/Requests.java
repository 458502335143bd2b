package io.strand.broker.api;

import io.strand.broker.network.RequestContext;
import java.net.InetSocketAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** Request contexts and wire round trips for the admin handler tests. */
public final class Requests {

    private Requests() {
    }

    public static RequestContext context(AbstractRequest request) {
        return new RequestContext(new RequestHeader(request.apiKey(), request.version(), "test-client", 1),
                new InetSocketAddress("127.0.0.1", 40000), TestImages.LISTENER, 0L, null);
    }

    /**
     * The response as a client of {@code version} reads it: written at that version and parsed
     * back, so a field the version cannot carry fails here as it would on the wire.
     */
    @SuppressWarnings("unchecked")
    public static <T extends ApiMessage> T overWire(ApiKeys apiKey, ApiMessage response, short version) {
        return (T) AbstractResponse.parseResponse(apiKey, MessageUtil.toByteBufferAccessor(response, version), version)
                .data();
    }

    /** What the network layer answers when a handler fails the whole request with {@code error}. */
    @SuppressWarnings("unchecked")
    public static <T extends ApiMessage> T errorResponse(AbstractRequest request, Throwable error) {
        return (T) request.getErrorResponse(0, error).data();
    }
}
