package io.strand.metadata.sim;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * What must hold of partition leadership and broker sessions in every committed image, checked
 * as each committed batch is replayed:
 * <ul>
 *   <li>the ISR is a non-empty subset of the replicas;</li>
 *   <li>a partition's leader is in its ISR and is an active broker (registered, unfenced, not in
 *       controlled shutdown), or there is none;</li>
 *   <li>over the whole history, at most one broker led a partition in any one leader epoch;</li>
 *   <li>a partition's leader epoch and partition epoch never go back; a changed partition has a
 *       higher partition epoch, a new leader a higher leader epoch;</li>
 *   <li>a broker's session epoch never goes back.</li>
 * </ul>
 * It also counts what happened, to show runs exercise fencing, controlled shutdown and elections.
 *
 * <p>Not thread-safe: owned by the simulation's event loop.
 */
final class LeadershipInvariants {

    private record PartitionEpoch(Uuid topicId, int partitionId, int leaderEpoch) {
    }

    private final Map<PartitionEpoch, Integer> leaders = new HashMap<>();
    private int fences;
    private int controlledShutdowns;
    private int leaderChanges;

    void check(MetadataImage previous, MetadataImage next) {
        for (BrokerRegistration broker : next.brokers().values()) {
            BrokerRegistration before = previous.brokers().get(broker.brokerId());
            if (before != null && broker.hasSession() && broker.brokerEpoch() < before.brokerEpoch()) {
                fail("Broker epoch went back", next, "before=" + before + " after=" + broker);
            }
            if (before != null && before.brokerEpoch() == broker.brokerEpoch()) {
                if (!before.fenced() && broker.fenced()) {
                    fences++;
                }
                if (!before.inControlledShutdown() && broker.inControlledShutdown()) {
                    controlledShutdowns++;
                }
            }
        }
        for (TopicImage topic : next.topics().all()) {
            TopicImage old = previous.topics().byId(topic.id()).orElse(null);
            topic.partitions().forEach((partitionId, p) -> {
                String where = "topic=" + topic.name() + " partition=" + partitionId + " state=" + p;
                Set<Integer> isr = new HashSet<>(p.isr());
                if (isr.isEmpty() || isr.size() != p.isr().size() || !p.replicas().containsAll(isr)) {
                    fail("ISR is not a non-empty subset of the replicas", next, where);
                }
                if (p.hasLeader()) {
                    BrokerRegistration leader = next.brokers().get(p.leader());
                    if (!isr.contains(p.leader()) || leader == null || !leader.isActive()) {
                        fail("Leader outside the ISR or not active", next, where + " leader=" + leader);
                    }
                }
                Integer earlier = leaders.putIfAbsent(new PartitionEpoch(topic.id(), partitionId, p.leaderEpoch()),
                        p.leader());
                if (earlier != null && earlier != p.leader()) {
                    fail("Two leaders in one leader epoch", next, where + " earlierLeader=" + earlier);
                }
                PartitionRegistration before = old == null ? null : old.partitions().get(partitionId);
                if (before != null && !before.equals(p)) {
                    if (p.partitionEpoch() <= before.partitionEpoch() || p.leaderEpoch() < before.leaderEpoch()) {
                        fail("Partition epochs went back or did not move", next, where + " before=" + before);
                    }
                    if (p.leader() != before.leader()) {
                        if (p.leaderEpoch() <= before.leaderEpoch()) {
                            fail("Leader changed without a new leader epoch", next, where + " before=" + before);
                        }
                        leaderChanges++;
                    }
                }
            });
        }
    }

    int fences() {
        return fences;
    }

    int controlledShutdowns() {
        return controlledShutdowns;
    }

    int leaderChanges() {
        return leaderChanges;
    }

    private static void fail(String what, MetadataImage image, String detail) {
        throw new AssertionError(what + ": " + detail + " appliedOffset=" + image.appliedOffset()
                + " brokers=" + image.brokers().values());
    }
}
