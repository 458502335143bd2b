package io.strand.broker;

import io.strand.common.config.BrokerConfig;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * Builds this broker's registration: one endpoint per advertised listener, which Metadata,
 * DescribeCluster and FindCoordinator hand to clients that came in on a listener of that name. An
 * advertised port 0 (tests bind port 0) becomes the port its listener actually bound.
 */
final class Registration {

    private Registration() {
    }

    /**
     * @param boundListeners client listener name → the address it bound
     */
    static RegisterBrokerRecord of(BrokerConfig config, Map<String, InetSocketAddress> boundListeners) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (BrokerConfig.Listener l : config.advertisedListeners()) {
            InetSocketAddress bound = boundListeners.get(l.name());
            int port = l.port() == 0 && bound != null ? bound.getPort() : l.port();
            endpoints.add(new Endpoint(l.name(), l.host(), port, config.securityProtocol(l.name()).name));
        }
        return new RegisterBrokerRecord(config.nodeId(), Uuid.randomUuid(), endpoints,
                config.getString(BrokerConfig.BROKER_RACK));
    }
}
