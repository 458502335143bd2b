package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.ListenerSecurity;
import io.strand.common.config.BrokerConfig;
import java.net.InetAddress;
import java.util.Map;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.PlaintextAuthenticationContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** A listener's security is built from the node's configuration as it is, properties left unset included. */
class ListenerSecuritiesTest {

    @Test
    void aListenerOfANodeWithPropertiesLeftWithoutDefaultKeepsThemUnsetAndNamesPlaintextClientsAnonymous() {
        BrokerConfig config = BrokerConfig.of(Map.of("listener.name.plaintext.principal.builder.class",
                "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder"));

        ListenerSecurity security = ListenerSecurities.of(config, "PLAINTEXT");

        assertThat(security.securityProtocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(security.configs()).containsEntry("advertised.listeners", null)
                .containsEntry("broker.rack", null);
        assertThat(security.principalBuilder().apply(new PlaintextAuthenticationContext(
                InetAddress.getLoopbackAddress(), "PLAINTEXT"))).isEqualTo(KafkaPrincipal.ANONYMOUS);
    }
}
