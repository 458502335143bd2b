package io.strand.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strand.broker.BrokerServer;
import io.strand.broker.ControllerStatus;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Replication health as Kafka's {@code ReplicaManager} and controller report it, read from the broker
 * when scraped (nothing on the data path):
 *
 * <ul>
 *   <li>per broker, over the partitions it hosts: {@code strand_replica_partitions},
 *       {@code strand_replica_leader_partitions}, and of those it leads
 *       {@code strand_replica_under_replicated_partitions} (ISR smaller than the replica set),
 *       {@code strand_replica_under_min_isr_partitions} and {@code strand_replica_at_min_isr_partitions};</li>
 *   <li>on the node whose controller is active (every other node reports 0, so sums count each
 *       partition once): {@code strand_controller_active}, {@code strand_controller_offline_partitions}
 *       (no leader), {@code strand_controller_topics}, {@code strand_controller_partitions},
 *       {@code strand_controller_preferred_replica_imbalance}.</li>
 * </ul>
 *
 * <p>Before the broker has started every gauge reads 0. Registered once per registry; thread-safe.
 */
public final class ReplicationGauges {

    private ReplicationGauges() {
    }

    /** Registers the gauges in {@code registry}; {@code broker} gives the started server, or null before. */
    public static void register(PrometheusRegistry registry, Supplier<BrokerServer> broker) {
        hostedCount(registry, broker, "strand_replica_partitions",
                "Partitions this broker hosts (leader or follower)", p -> true);
        hostedCount(registry, broker, "strand_replica_leader_partitions",
                "Partitions this broker leads", BrokerServer.HostedPartition::leader);
        hostedCount(registry, broker, "strand_replica_under_replicated_partitions",
                "Partitions this broker leads whose ISR is smaller than their replica set",
                BrokerServer.HostedPartition::underReplicated);
        hostedCount(registry, broker, "strand_replica_under_min_isr_partitions",
                "Partitions this broker leads with fewer in-sync replicas than min.insync.replicas",
                BrokerServer.HostedPartition::underMinIsr);
        hostedCount(registry, broker, "strand_replica_at_min_isr_partitions",
                "Partitions this broker leads with exactly min.insync.replicas in sync",
                BrokerServer.HostedPartition::atMinIsr);
        controllerGauge(registry, broker, "strand_controller_active",
                "1 on the node whose controller is active (leads the metadata quorum), else 0",
                status -> status.active() ? 1 : 0);
        controllerGauge(registry, broker, "strand_controller_offline_partitions",
                "Partitions without a leader, as the active controller's metadata says (0 on other nodes)",
                ControllerStatus::offlinePartitions);
        controllerGauge(registry, broker, "strand_controller_topics",
                "Topics in the cluster, as the active controller's metadata says (0 on other nodes)",
                ControllerStatus::topics);
        controllerGauge(registry, broker, "strand_controller_partitions",
                "Partitions in the cluster, as the active controller's metadata says (0 on other nodes)",
                ControllerStatus::partitions);
        controllerGauge(registry, broker, "strand_controller_preferred_replica_imbalance",
                "Partitions whose leader is not their preferred (first) replica, on the active controller",
                ControllerStatus::preferredReplicaImbalance);
    }

    /** How many of {@code partitions} match {@code which}. */
    static int count(List<BrokerServer.HostedPartition> partitions, Predicate<BrokerServer.HostedPartition> which) {
        int n = 0;
        for (BrokerServer.HostedPartition p : partitions) {
            if (which.test(p)) {
                n++;
            }
        }
        return n;
    }

    private static void hostedCount(PrometheusRegistry registry, Supplier<BrokerServer> broker, String name,
                                    String help, Predicate<BrokerServer.HostedPartition> which) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            BrokerServer server = broker.get();
            cb.call(server == null ? 0 : count(server.hostedPartitions(), which));
        }).register(registry);
    }

    private static void controllerGauge(PrometheusRegistry registry, Supplier<BrokerServer> broker, String name,
                                        String help, ToIntFunction<ControllerStatus> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            BrokerServer server = broker.get();
            cb.call(value.applyAsInt(server == null ? ControllerStatus.INACTIVE : server.controllerStatus()));
        }).register(registry);
    }
}
