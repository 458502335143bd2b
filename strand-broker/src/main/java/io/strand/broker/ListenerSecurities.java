package io.strand.broker;

import io.strand.broker.fetcher.ConnectionTls;
import io.strand.broker.network.ListenerSecurity;
import io.strand.broker.network.tls.ClientTls;
import io.strand.broker.network.tls.ServerTls;
import io.strand.common.config.BrokerConfig;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.SslClientAuth;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.network.ChannelBuilders;
import org.apache.kafka.common.security.auth.KafkaPrincipalBuilder;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

/**
 * Builds each client listener's {@link ListenerSecurity} from the node's configuration: the listener's
 * protocol, its properties with the {@code listener.name.<listener>.} overrides applied, its TLS layer
 * when it is SSL ({@link ServerTls}), and its principal builder as Kafka makes one
 * ({@code principal.builder.class}, instantiated and configured with the listener's properties; Kafka's
 * {@code DefaultKafkaPrincipalBuilder} when unset, which names a TLS client {@code User:<its certificate's
 * distinguished name>} mapped by {@code ssl.principal.mapping.rules}). Also the TLS side of this broker's
 * connections to other brokers. Stateless.
 */
final class ListenerSecurities {

    private ListenerSecurities() {
    }

    static ListenerSecurity of(BrokerConfig config, String listenerName) {
        Map<String, Object> values = config.listenerValues(listenerName);
        SecurityProtocol protocol = config.securityProtocol(listenerName);
        // No Kerberos (GSSAPI is not served).
        KafkaPrincipalBuilder builder = ChannelBuilders.createPrincipalBuilder(values, null,
                SslPrincipalMapper.fromRules((String) values.get(BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG)));
        ServerTls tls = null;
        if (protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL) {
            tls = ServerTls.of(listenerName, values, clientAuth(config, listenerName, protocol, values));
        }
        return new ListenerSecurity(listenerName, protocol, values, builder::build, tls);
    }

    /**
     * {@code ssl.client.auth} as Kafka applies it (KIP-684): on an SSL listener its effective value; on a
     * SASL_SSL listener only when set for that listener ({@code listener.name.<l>.ssl.client.auth}), else
     * none, since SASL authenticates the client there.
     */
    static SslClientAuth clientAuth(BrokerConfig config, String listenerName, SecurityProtocol protocol,
                                    Map<String, Object> values) {
        String value = (String) values.get(BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG);
        if (protocol == SecurityProtocol.SASL_SSL) {
            value = config.original(BrokerConfig.LISTENER_PREFIX + listenerName.toLowerCase(Locale.ROOT) + "."
                    + BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG);
        }
        SslClientAuth auth = value == null ? null : SslClientAuth.forConfig(value);
        return auth == null ? SslClientAuth.NONE : auth;
    }

    /**
     * How this broker's connections to other brokers (replica fetchers, transaction markers and
     * verification) secure themselves: TLS with the inter-broker listener's {@code ssl.*} properties
     * when that listener is SSL or SASL_SSL, else null (plaintext).
     */
    static ConnectionTls interBrokerTls(BrokerConfig config) {
        String listener = config.interBrokerListenerName();
        if (config.securityProtocol(listener) != SecurityProtocol.SSL
                && config.securityProtocol(listener) != SecurityProtocol.SASL_SSL) {
            return null;
        }
        ClientTls tls = ClientTls.of(listener, config.listenerValues(listener));
        return tls::newHandler;
    }
}
