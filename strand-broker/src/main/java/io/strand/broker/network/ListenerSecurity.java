package io.strand.broker.network;

import io.strand.broker.network.tls.ServerTls;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.AuthenticationContext;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.PlaintextAuthenticationContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.auth.SslAuthenticationContext;

/**
 * How one listener secures its connections and names who is on the other end: its security protocol
 * ({@code listener.security.protocol.map}), its effective configuration (the node's properties with
 * its {@code listener.name.<listener>.} overrides applied, {@code BrokerConfig.listenerValues}), and the
 * principal builder ({@code principal.builder.class}, Kafka's {@code DefaultKafkaPrincipalBuilder} by
 * default) that turns an authenticated connection into the {@link KafkaPrincipal} every request of that
 * connection carries in its {@link RequestContext}; and, for SSL (and SASL_SSL) listeners, the TLS layer
 * that goes first in every connection's pipeline ({@link ServerTls}).
 *
 * <p>Immutable; the principal builder must be safe to call from every event loop of the listener.
 *
 * @param listenerName     the listener's name, upper case
 * @param securityProtocol the listener's protocol
 * @param configs          the listener's effective configuration
 * @param principalBuilder names the principal of an authenticated connection (a {@code KafkaPrincipalBuilder}'s
 *                         {@code build})
 * @param tls              the TLS layer of an SSL or SASL_SSL listener; null for the others
 */
public record ListenerSecurity(String listenerName, SecurityProtocol securityProtocol, Map<String, Object> configs,
                               Function<AuthenticationContext, KafkaPrincipal> principalBuilder, ServerTls tls) {

    public ListenerSecurity {
        // Unset properties are null: no Map.copyOf.
        configs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(configs));
        boolean needsTls = securityProtocol == SecurityProtocol.SSL || securityProtocol == SecurityProtocol.SASL_SSL;
        if (needsTls != (tls != null)) {
            throw new IllegalArgumentException("listener " + listenerName + " is " + securityProtocol
                    + (needsTls ? " and needs" : " and takes no") + " TLS layer");
        }
    }

    /** A listener without TLS (PLAINTEXT or SASL_PLAINTEXT). */
    public ListenerSecurity(String listenerName, SecurityProtocol securityProtocol, Map<String, Object> configs,
                            Function<AuthenticationContext, KafkaPrincipal> principalBuilder) {
        this(listenerName, securityProtocol, configs, principalBuilder, null);
    }

    /** A PLAINTEXT listener whose connections are all {@link KafkaPrincipal#ANONYMOUS}, for tests. */
    public static ListenerSecurity plaintext(String listenerName) {
        return new ListenerSecurity(listenerName, SecurityProtocol.PLAINTEXT, Map.of(),
                context -> KafkaPrincipal.ANONYMOUS);
    }

    /** The principal of a connection that authenticated as {@code context} says. */
    KafkaPrincipal principal(AuthenticationContext context) {
        return principalBuilder.apply(context);
    }

    /**
     * The principal of an SSL connection from {@code client} whose handshake made {@code session}: the
     * client certificate's subject as the principal builder maps it, {@code ANONYMOUS} without one.
     */
    KafkaPrincipal sslPrincipal(SSLSession session, InetSocketAddress client) {
        return principal(new SslAuthenticationContext(session, client.getAddress(),
                ListenerName.normalised(listenerName).value()));
    }

    /** The principal of a PLAINTEXT connection from {@code client}. */
    KafkaPrincipal plaintextPrincipal(InetSocketAddress client) {
        return principal(new PlaintextAuthenticationContext(client.getAddress(),
                ListenerName.normalised(listenerName).value()));
    }
}
