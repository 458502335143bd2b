package io.strand.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.strand.broker.BrokerServer;
import io.strand.broker.ControllerStatus;
import java.util.List;
import java.util.function.Supplier;

/**
 * The active controller's view of the cluster, as Kafka's controller reports it, read from the
 * controller's metadata image once per scrape (nothing on the data path): on the node whose controller
 * is active (every other node reports 0, so sums count each partition once)
 * {@code strand_controller_active}, {@code strand_controller_offline_partitions} (no leader),
 * {@code strand_controller_topics}, {@code strand_controller_partitions},
 * {@code strand_controller_preferred_replica_imbalance}. The broker's own replication counts
 * ({@code strand_replica_*}) are {@link HostedPartitionGauges}'.
 *
 * <p>Before the broker has started every gauge reads 0. Registered once per registry; thread-safe.
 */
public final class ReplicationGauges implements MultiCollector {

    static final String ACTIVE = "strand_controller_active";
    static final String OFFLINE = "strand_controller_offline_partitions";
    static final String TOPICS = "strand_controller_topics";
    static final String PARTITIONS = "strand_controller_partitions";
    static final String IMBALANCE = "strand_controller_preferred_replica_imbalance";

    private final Supplier<BrokerServer> broker;

    private ReplicationGauges(Supplier<BrokerServer> broker) {
        this.broker = broker;
    }

    /** Registers the gauges in {@code registry}; {@code broker} gives the started server, or null before. */
    public static void register(PrometheusRegistry registry, Supplier<BrokerServer> broker) {
        registry.register(new ReplicationGauges(broker));
    }

    @Override
    public MetricSnapshots collect() {
        BrokerServer server = broker.get();
        return snapshots(server == null ? ControllerStatus.INACTIVE : server.controllerStatus());
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(ACTIVE, OFFLINE, TOPICS, PARTITIONS, IMBALANCE);
    }

    /** The five families of one reading of the controller's status. */
    static MetricSnapshots snapshots(ControllerStatus status) {
        return MetricSnapshots.of(
                gauge(ACTIVE, "1 on the node whose controller is active (leads the metadata quorum), else 0",
                        status.active() ? 1 : 0),
                gauge(OFFLINE, "Partitions without a leader, as the active controller's metadata says (0 on other"
                        + " nodes)", status.offlinePartitions()),
                gauge(TOPICS, "Topics in the cluster, as the active controller's metadata says (0 on other nodes)",
                        status.topics()),
                gauge(PARTITIONS, "Partitions in the cluster, as the active controller's metadata says (0 on other"
                        + " nodes)", status.partitions()),
                gauge(IMBALANCE, "Partitions whose leader is not their preferred (first) replica, on the active"
                        + " controller", status.preferredReplicaImbalance()));
    }

    private static GaugeSnapshot gauge(String name, String help, int value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
