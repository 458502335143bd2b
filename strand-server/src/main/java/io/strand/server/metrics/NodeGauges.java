package io.strand.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.strand.broker.BrokerServer;
import io.strand.broker.NodeReadiness;
import java.util.function.Supplier;

/**
 * Gauges of the node's state, read from the broker when scraped (nothing is kept up to date on the
 * data path): {@code strand_connections{listener}}, per hosted partition
 * {@code strand_partition_log_end_offset}, {@code strand_partition_log_start_offset},
 * {@code strand_partition_high_watermark} and {@code strand_partition_log_size_bytes}
 * ({@code topic}, {@code partition}), and {@code strand_node_ready}; with them the
 * {@link ReplicationGauges} and the {@link ConsumerLagGauges}. Before the broker has started the
 * state gauges have no series. Registered once per registry; thread-safe (each scrape reads anew).
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
        partitionGauge(registry, broker, "strand_partition_log_end_offset", null,
                "Offset after the last record of the partition's log on this broker", BrokerServer.HostedPartition::logEndOffset);
        partitionGauge(registry, broker, "strand_partition_log_start_offset", null,
                "First offset of the partition's log on this broker", BrokerServer.HostedPartition::logStartOffset);
        partitionGauge(registry, broker, "strand_partition_high_watermark", null,
                "The partition's high watermark on this broker", BrokerServer.HostedPartition::highWatermark);
        partitionGauge(registry, broker, "strand_partition_log_size", Unit.BYTES,
                "Bytes of the partition's log segments on this broker", BrokerServer.HostedPartition::sizeBytes);
        GaugeWithCallback.builder().name("strand_node_ready")
                .help("1 while the node serves (as GET /health/ready answers 200), else 0")
                .callback(cb -> cb.call(readiness.status().ready() ? 1 : 0)).register(registry);
        ReplicationGauges.register(registry, broker);
        ConsumerLagGauges.register(registry, broker);
    }

    private static void partitionGauge(PrometheusRegistry registry, Supplier<BrokerServer> broker, String name,
                                       Unit unit, String help,
                                       java.util.function.ToLongFunction<BrokerServer.HostedPartition> value) {
        GaugeWithCallback.Builder builder = GaugeWithCallback.builder().name(name).help(help)
                .labelNames("topic", "partition");
        if (unit != null) {
            builder.unit(unit);
        }
        builder.callback(cb -> {
            BrokerServer server = broker.get();
            if (server != null) {
                for (BrokerServer.HostedPartition p : server.hostedPartitions()) {
                    cb.call(value.applyAsLong(p), p.topic(), Integer.toString(p.partition()));
                }
            }
        }).register(registry);
    }
}
