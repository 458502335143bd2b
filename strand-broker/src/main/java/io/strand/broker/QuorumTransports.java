package io.strand.broker;

import io.strand.broker.fetcher.SaslClientSettings;
import io.strand.broker.network.ListenerSecurity;
import io.strand.broker.network.SaslLogin;
import io.strand.broker.network.SaslMechanisms;
import io.strand.broker.network.SaslQuorumTunnel;
import io.strand.broker.network.ScramCredentialStore;
import io.strand.broker.network.tls.ClientTls;
import io.strand.broker.network.tls.QuorumTls;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.ProcessRole;
import io.strand.metadata.quorum.QuorumTransport;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The metadata quorum's transport as the node's controller listener sets it (the bound one on a
 * controller; on a broker-only node the first of {@code controller.listener.names}, as a Kafka broker
 * reaches its controllers): PLAINTEXT and SSL as {@link QuorumTls} makes them; SASL_PLAINTEXT and
 * SASL_SSL as Ratis' netty transport through a {@link SaslQuorumTunnel}, as Kafka's KRaft nodes use the
 * controller listener:
 * <ul>
 *   <li>every node authenticates to the voters with {@code sasl.mechanism.controller.protocol} (PLAIN) and
 *       the {@code username}/{@code password} of the listener's JAAS line for it
 *       ({@code listener.name.<l>.plain.sasl.jaas.config});</li>
 *   <li>a controller also serves the listener: its {@code sasl.enabled.mechanisms} and PLAIN's
 *       {@code user_<name>} entries of that JAAS line, through the same {@link SaslMechanisms} as a SASL client
 *       listener (no SCRAM store: {@code ListenerRules} refuses SCRAM on a controller listener);</li>
 *   <li>SASL_SSL puts TLS under it, with the listener's {@code ssl.*} (a controller needs a key store).</li>
 * </ul>
 * The transport made is closed by whoever made it, after the quorum. Stateless.
 */
final class QuorumTransports {

    private QuorumTransports() {
    }

    /**
     * @throws ConfigException naming the listener and what is wrong (stores, JAAS line, mechanisms)
     */
    static QuorumTransport of(BrokerConfig config) {
        String listener = QuorumTls.listenerName(config);
        SecurityProtocol protocol = listener == null ? SecurityProtocol.PLAINTEXT : config.securityProtocol(listener);
        if (protocol != SecurityProtocol.SASL_PLAINTEXT && protocol != SecurityProtocol.SASL_SSL) {
            return QuorumTls.transport(config);
        }
        SaslMechanisms mechanisms = null;
        try {
            SaslClientSettings client = InterBrokerSasl.fromJaas(config, listener,
                    config.getString(BrokerConfig.SASL_MECHANISM_CONTROLLER_PROTOCOL), "the controller listener " + listener,
                    "voters and brokers authenticate to the metadata quorum with");
            ClientTls tls = protocol == SecurityProtocol.SASL_SSL ? ClientTls.of(listener, config.listenerValues(listener))
                    : null;
            SaslQuorumTunnel.Server server = null;
            if (config.processRoles().contains(ProcessRole.CONTROLLER)) {
                ListenerSecurity security = ListenerSecurities.of(config, listener);
                mechanisms = new SaslMechanisms(security, ScramCredentialStore.NONE);
                server = new SaslQuorumTunnel.Server(security, mechanisms);
            }
            return QuorumTransport.tunnelled(new SaslQuorumTunnel(listener, server, login(client), tls,
                    "strand-quorum-" + config.nodeId()));
        } catch (IllegalArgumentException e) {
            if (mechanisms != null) {
                mechanisms.close();
            }
            throw new ConfigException("controller listener " + listener + ": " + e.getMessage());
        }
    }

    /** The settings as the network package's login (it does not see the fetcher's settings). */
    static SaslLogin login(SaslClientSettings settings) {
        return new SaslLogin() {
            @Override
            public String mechanism() {
                return settings.mechanism();
            }

            @Override
            public String username() {
                return settings.username();
            }

            @Override
            public javax.security.sasl.SaslClient newClient(String host) throws javax.security.sasl.SaslException {
                return settings.newClient(host);
            }

            @Override
            public String toString() {
                return settings.toString();
            }
        };
    }
}
