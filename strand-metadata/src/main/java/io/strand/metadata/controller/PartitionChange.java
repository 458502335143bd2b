package io.strand.metadata.controller;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Computes the next state of one partition from its current state, a target ISR, a target replica
 * assignment (the current one unless a reassignment changes it) and which brokers may lead (Kafka's
 * PartitionChangeBuilder, without eligible leader replicas). Stateless.
 *
 * <p>A reassignment under way completes in any change whose target ISR holds every target replica
 * ({@link ReplicaAssignment#maybeComplete}): the replicas become the target, the removed ones leave
 * the ISR, and a removed leader gives way to a leader elected as below among the target replicas.
 *
 * <p>The leader is chosen so that a partition never has a leader outside its ISR or one that is not
 * active:
 * <ol>
 *   <li>{@link Election#PREFERRED}: the first replica, if it is in the target ISR and acceptable;</li>
 *   <li>the current leader, if it is still in the target ISR and acceptable;</li>
 *   <li>the first replica (in replica order) in the target ISR that is acceptable;</li>
 *   <li>with {@link Election#UNCLEAN} and no such member: the first acceptable replica outside the
 *       ISR, which becomes the whole ISR (records after its log end are lost, as Kafka's unclean
 *       election loses them);</li>
 *   <li>otherwise {@link PartitionRegistration#NO_LEADER}.</li>
 * </ol>
 * Candidates are taken in the order of the new replicas. A leader change bumps the leader epoch, and
 * so does a replica leaving the replica set (as Kafka does, so the removed replica's fetches are
 * fenced); any change bumps the partition epoch. No change, no record. Every replica keeps its log
 * directory; a replica new to the set has none known yet.
 */
final class PartitionChange {

    /** How a leader may be chosen. */
    enum Election {
        /** Keep the leader if it may lead; else the first acceptable ISR member. */
        ONLINE,
        /** Like ONLINE, but move the leadership to the first replica when it may lead. */
        PREFERRED,
        /** Like ONLINE, but with no acceptable ISR member take an acceptable replica outside the ISR. */
        UNCLEAN
    }

    private PartitionChange() {
    }

    /**
     * @param targetIsr  the ISR the partition should have; must not be empty
     * @param acceptable which brokers may lead (active, in the state the change will apply to)
     * @return the new state, or empty when it equals the current one
     */
    static Optional<PartitionRegistration> build(PartitionRegistration current, List<Integer> targetIsr,
                                                 IntPredicate acceptable, Election election) {
        return build(current, ReplicaAssignment.of(current), targetIsr, acceptable, election);
    }

    /**
     * @param target    the replicas, adding and removing replicas the partition should have
     * @param targetIsr the ISR the partition should have; must not be empty, members in {@code target}
     */
    static Optional<PartitionRegistration> build(PartitionRegistration current, ReplicaAssignment target,
                                                 List<Integer> targetIsr, IntPredicate acceptable, Election election) {
        ReplicaAssignment assignment = target;
        List<Integer> isr = targetIsr;
        Optional<ReplicaAssignment.Completed> completed = target.maybeComplete(targetIsr);
        if (completed.isPresent()) {
            assignment = completed.get().assignment();
            isr = completed.get().isr();
        }
        List<Integer> replicas = assignment.replicas();
        int leader = PartitionRegistration.NO_LEADER;
        int preferred = replicas.get(0);
        if (election == Election.PREFERRED && isr.contains(preferred) && acceptable.test(preferred)) {
            leader = preferred;
        } else if (current.hasLeader() && isr.contains(current.leader()) && acceptable.test(current.leader())) {
            leader = current.leader();
        } else {
            for (int replica : replicas) {
                if (isr.contains(replica) && acceptable.test(replica)) {
                    leader = replica;
                    break;
                }
            }
            if (leader == PartitionRegistration.NO_LEADER && election == Election.UNCLEAN) {
                for (int replica : replicas) {
                    if (acceptable.test(replica)) {
                        leader = replica;
                        isr = List.of(replica);
                        break;
                    }
                }
            }
        }
        if (leader == current.leader() && isr.equals(current.isr())
                && assignment.equals(ReplicaAssignment.of(current))) {
            return Optional.empty();
        }
        boolean replicaRemoved = !replicas.containsAll(current.replicas());
        int leaderEpoch = leader == current.leader() && !replicaRemoved
                ? current.leaderEpoch() : current.leaderEpoch() + 1;
        return Optional.of(new PartitionRegistration(replicas, isr, leader, leaderEpoch,
                current.partitionEpoch() + 1, assignment.adding(), assignment.removing(),
                current.directoriesFor(replicas)));
    }

    /**
     * The election a change made without the leader's involvement (a broker fenced or shutting
     * down, an ISR member back) may use: UNCLEAN when {@code unclean.leader.election.enable} is true
     * for the topic (its override, else the cluster-wide dynamic broker config, else
     * {@code clusterDefault}), else ONLINE.
     */
    static Election onlineElection(MetadataImage image, String topicName, boolean clusterDefault) {
        String key = ClusterControlSettings.UNCLEAN_LEADER_ELECTION_ENABLE;
        String value = image.configs(new ConfigResource(ConfigResource.Type.TOPIC, topicName)).get(key);
        if (value == null) {
            value = image.configs(new ConfigResource(ConfigResource.Type.BROKER, "")).get(key);
        }
        boolean unclean = value == null ? clusterDefault : Boolean.parseBoolean(value.trim());
        return unclean ? Election.UNCLEAN : Election.ONLINE;
    }

    /** Whether {@code brokerId} is registered and active in {@code image}. */
    static boolean isActive(MetadataImage image, int brokerId) {
        BrokerRegistration broker = image.brokers().get(brokerId);
        return broker != null && broker.isActive();
    }

    /**
     * Whether {@code brokerId} may lead or join the ISR of {@code partition}: it is active and the log
     * directory holding its replica is not offline (KIP-858).
     */
    static boolean isActiveFor(MetadataImage image, int brokerId, PartitionRegistration partition) {
        BrokerRegistration broker = image.brokers().get(brokerId);
        return broker != null && broker.isActive() && broker.hasOnlineDir(partition.directory(brokerId));
    }
}
