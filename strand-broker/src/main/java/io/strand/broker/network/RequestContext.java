package io.strand.broker.network;

import java.net.SocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * What a handler knows about the request in hand besides its body: who sent it, on which listener
 * and security protocol, as which principal, at which API version, and when it arrived. The one place
 * authorization will read the caller from.
 *
 * @param header           the parsed request header (correlation id, client id)
 * @param clientAddress    the peer's address
 * @param listenerName     the listener the connection came in on
 * @param securityProtocol the listener's protocol (listener.security.protocol.map)
 * @param principal        who the client is, as the listener's principal builder names it (the SASL user once authenticated)
 * @param receivedNs       monotonic time the frame was read
 * @param eventLoop        the connection's event loop: work that resumes later (a long poll) runs here
 * @param connection       what lives as long as the connection: a long poll is released when it closes
 */
public record RequestContext(RequestHeader header, SocketAddress clientAddress, String listenerName,
                             SecurityProtocol securityProtocol, KafkaPrincipal principal,
                             long receivedNs, ScheduledExecutorService eventLoop, ConnectionScope connection) {

    /** A request outside any connection that closes ({@link ConnectionScope#detached()}). */
    public RequestContext(RequestHeader header, SocketAddress clientAddress, String listenerName,
                          SecurityProtocol securityProtocol, KafkaPrincipal principal,
                          long receivedNs, ScheduledExecutorService eventLoop) {
        this(header, clientAddress, listenerName, securityProtocol, principal, receivedNs, eventLoop,
                ConnectionScope.detached());
    }

    /** A request from an anonymous client on a PLAINTEXT listener, the only kind served yet. */
    public RequestContext(RequestHeader header, SocketAddress clientAddress, String listenerName,
                          long receivedNs, ScheduledExecutorService eventLoop) {
        this(header, clientAddress, listenerName, SecurityProtocol.PLAINTEXT, KafkaPrincipal.ANONYMOUS,
                receivedNs, eventLoop);
    }

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
