package io.strand.broker;

import io.strand.common.config.BrokerConfig;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * Builds this broker's registration: its advertised client endpoints. A listener configured with
 * port 0 (tests) advertises the port it actually bound.
 */
final class Registration {

    private Registration() {
    }

    static RegisterBrokerRecord of(BrokerConfig config, InetSocketAddress boundClientAddress) {
        BrokerConfig.Listener bound = config.brokerListener();
        List<Endpoint> endpoints = new ArrayList<>();
        for (BrokerConfig.Listener l : config.advertisedListeners()) {
            int port = l.port() == 0 && l.name().equals(bound.name()) ? boundClientAddress.getPort() : l.port();
            endpoints.add(new Endpoint(l.name(), l.host(), port, securityProtocol(config, l.name())));
        }
        return new RegisterBrokerRecord(config.nodeId(), Uuid.randomUuid(), endpoints,
                config.getString(BrokerConfig.BROKER_RACK));
    }

    private static String securityProtocol(BrokerConfig config, String listenerName) {
        Map<String, String> map = new HashMap<>();
        for (String entry : config.getList(BrokerConfig.LISTENER_SECURITY_PROTOCOL_MAP)) {
            int colon = entry.indexOf(':');
            if (colon > 0) {
                map.put(entry.substring(0, colon).trim().toUpperCase(java.util.Locale.ROOT), entry.substring(colon + 1).trim());
            }
        }
        return map.getOrDefault(listenerName, "PLAINTEXT");
    }
}
