package io.strand.broker;

import io.strand.common.config.BrokerConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;

/**
 * Builds this broker's registration request: the ids of its online log directories, and one listener
 * per advertised listener, which Metadata, DescribeCluster and FindCoordinator hand to clients that
 * came in on a listener of that name. An advertised port 0 (tests bind port 0) becomes the port its
 * listener actually bound.
 */
final class Registration {

    private Registration() {
    }

    /**
     * @param boundListeners client listener name → the address it bound
     * @param clusterId      the cluster id of this node's metadata
     * @param incarnationId  this process's incarnation of the broker (new on every start)
     * @param logDirs        the ids of this broker's online log directories (KIP-858)
     */
    static BrokerRegistrationRequestData request(BrokerConfig config, Map<String, InetSocketAddress> boundListeners,
                                                 String clusterId, Uuid incarnationId, List<Uuid> logDirs) {
        BrokerRegistrationRequestData.ListenerCollection listeners = new BrokerRegistrationRequestData.ListenerCollection();
        for (BrokerConfig.Listener l : config.advertisedListeners()) {
            InetSocketAddress bound = boundListeners.get(l.name());
            int port = l.port() == 0 && bound != null ? bound.getPort() : l.port();
            listeners.add(new BrokerRegistrationRequestData.Listener()
                    .setName(l.name())
                    .setHost(l.host())
                    .setPort(port)
                    .setSecurityProtocol(config.securityProtocol(l.name()).id));
        }
        return new BrokerRegistrationRequestData()
                .setBrokerId(config.nodeId())
                .setClusterId(clusterId == null ? "" : clusterId)
                .setIncarnationId(incarnationId)
                .setListeners(listeners)
                .setRack(config.getString(BrokerConfig.BROKER_RACK))
                .setLogDirs(List.copyOf(logDirs));
    }
}
