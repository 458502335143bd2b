package io.strand.broker;

import io.strand.broker.network.ConnectionBounds;
import io.strand.broker.network.ConnectionLimits;
import io.strand.broker.network.IpConnectionRates;
import io.strand.broker.network.RequestMemory;
import io.strand.common.config.BrokerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds the {@link ConnectionBounds} every client listener of a node shares from Kafka's properties:
 * {@code max.connections} and {@code max.connection.creation.rate} (node-wide and, where set, per
 * listener), {@code max.connections.per.ip} with its overrides (host names resolved once, at start,
 * as Kafka resolves them), {@code connections.max.idle.ms} and {@code queued.max.request.bytes}, and
 * the addresses' {@code connection_creation_rate} quotas (a throttled connection held at most
 * {@code quota.window.size.seconds} before it is closed). Stateless.
 */
final class NodeConnectionBounds {

    private NodeConnectionBounds() {
    }

    static ConnectionBounds of(BrokerConfig config, IpConnectionRates ipRates) {
        Map<String, Integer> listenerMax = new HashMap<>();
        Map<String, Integer> listenerRate = new HashMap<>();
        for (BrokerConfig.Listener listener : config.clientListeners()) {
            String prefix = BrokerConfig.LISTENER_PREFIX + listener.name().toLowerCase(Locale.ROOT) + ".";
            Map<String, Object> values = config.listenerValues(listener.name());
            if (config.original(prefix + BrokerConfig.MAX_CONNECTIONS) != null) {
                listenerMax.put(listener.name(), (Integer) values.get(BrokerConfig.MAX_CONNECTIONS));
            }
            if (config.original(prefix + BrokerConfig.MAX_CONNECTION_CREATION_RATE) != null) {
                listenerRate.put(listener.name(), (Integer) values.get(BrokerConfig.MAX_CONNECTION_CREATION_RATE));
            }
        }
        Map<InetAddress, Integer> perIp = new HashMap<>();
        config.maxConnectionsPerIpOverrides().forEach((host, count) -> {
            try {
                perIp.put(InetAddress.getByName(host), count);
            } catch (UnknownHostException e) {
                throw new ConfigException(BrokerConfig.MAX_CONNECTIONS_PER_IP_OVERRIDES, host,
                        "cannot resolve host " + host);
            }
        });
        ConnectionLimits.Settings settings = new ConnectionLimits.Settings(config.getInt(BrokerConfig.MAX_CONNECTIONS),
                listenerMax, config.getInt(BrokerConfig.MAX_CONNECTIONS_PER_IP), perIp,
                config.getInt(BrokerConfig.MAX_CONNECTION_CREATION_RATE), listenerRate, config.interBrokerListenerName());
        long queuedBytes = config.getLong(BrokerConfig.QUEUED_MAX_REQUEST_BYTES);
        // Kafka leaves requests' memory unbounded when this is 0 or less; a quarter of the heap holds
        // reading back only where the heap would otherwise run out.
        RequestMemory memory = new RequestMemory(queuedBytes > 0 ? queuedBytes : Runtime.getRuntime().maxMemory() / 4);
        long maxIpThrottleNs = TimeUnit.SECONDS.toNanos(config.getInt(BrokerConfig.QUOTA_WINDOW_SIZE_SECONDS));
        return new ConnectionBounds(new ConnectionLimits(settings, ipRates, maxIpThrottleNs, System::nanoTime), memory,
                config.getLong(BrokerConfig.CONNECTIONS_MAX_IDLE_MS));
    }
}
