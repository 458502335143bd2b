package io.strand.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strand.broker.BrokerServer;
import io.strand.broker.NodeReadiness;
import java.util.function.Supplier;

/**
 * Gauges of the node's state, read from the broker when scraped (nothing is kept up to date on the
 * data path): {@code strand_connections{listener}} and {@code strand_node_ready}; with them the
 * {@link HostedPartitionGauges}, the {@link ReplicationGauges} and the {@link ConsumerLagGauges}.
 * Before the broker has started the state gauges have no series. Registered once per registry; thread-safe (each scrape reads anew).
 */
public final class NodeGauges {

    private NodeGauges() {
    }

    /** Registers the gauges in {@code registry}; {@code broker} gives the started server, or null before. */
    public static void register(PrometheusRegistry registry, Supplier<BrokerServer> broker, NodeReadiness readiness) {
        GaugeWithCallback.builder().name("strand_connections").help("Open client connections, by listener")
                .labelNames("listener").callback(cb -> {
                    BrokerServer server = broker.get();
                    if (server != null) {
                        server.connectionCounts().forEach((listener, count) -> cb.call(count, listener));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("strand_node_ready")
                .help("1 while the node serves (as GET /health/ready answers 200), else 0")
                .callback(cb -> cb.call(readiness.status().ready() ? 1 : 0)).register(registry);
        HostedPartitionGauges.register(registry, broker);
        ReplicationGauges.register(registry, broker);
        ConsumerLagGauges.register(registry, broker);
    }
}
