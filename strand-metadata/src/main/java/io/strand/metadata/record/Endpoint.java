package io.strand.metadata.record;

import java.util.Objects;

/**
 * One listener of a broker, as advertised to clients.
 *
 * @param securityProtocol a {@code SecurityProtocol} name such as {@code PLAINTEXT}
 */
public record Endpoint(String listenerName, String host, int port, String securityProtocol) {
    public Endpoint {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(securityProtocol, "securityProtocol");
    }
}
