package io.strand.broker.network;

import java.net.SocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * What a handler knows about the request in hand besides its body: who sent it, on which listener,
 * at which API version, and when it arrived.
 *
 * @param header        the parsed request header (correlation id, client id)
 * @param clientAddress the peer's address
 * @param listenerName  the listener the connection came in on
 * @param receivedNs    monotonic time the frame was read
 * @param eventLoop     the connection's event loop: work that resumes later (a long poll) runs here
 */
public record RequestContext(RequestHeader header, SocketAddress clientAddress, String listenerName,
                             long receivedNs, ScheduledExecutorService eventLoop) {

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }
}
