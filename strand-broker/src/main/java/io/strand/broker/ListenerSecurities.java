package io.strand.broker;

import io.strand.broker.network.ListenerSecurity;
import io.strand.common.config.BrokerConfig;
import java.util.Map;
import org.apache.kafka.common.network.ChannelBuilders;
import org.apache.kafka.common.security.auth.KafkaPrincipalBuilder;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

/**
 * Builds each client listener's {@link ListenerSecurity} from the node's configuration: the listener's
 * protocol, its properties with the {@code listener.name.<listener>.} overrides applied, and its
 * principal builder as Kafka makes one ({@code principal.builder.class}, instantiated and configured
 * with the listener's properties; Kafka's {@code DefaultKafkaPrincipalBuilder} when unset). Stateless.
 */
final class ListenerSecurities {

    private ListenerSecurities() {
    }

    static ListenerSecurity of(BrokerConfig config, String listenerName) {
        Map<String, Object> values = config.listenerValues(listenerName);
        // No Kerberos (GSSAPI is not served); SSL principals are the certificate's distinguished name as is
        // until ssl.principal.mapping.rules is served with TLS.
        KafkaPrincipalBuilder builder = ChannelBuilders.createPrincipalBuilder(values, null,
                SslPrincipalMapper.fromRules("DEFAULT"));
        return new ListenerSecurity(listenerName, config.securityProtocol(listenerName), values, builder::build);
    }
}
