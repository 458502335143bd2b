package io.strand.broker.sim;

import io.strand.broker.replica.Partition;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * What must hold after every event of a {@link ReplicationSimulation}:
 * <ol>
 *   <li>at most one broker ever leads a partition in a given leader epoch (as the brokers believe it);</li>
 *   <li>a leader's high watermark never goes back while it leads in one epoch;</li>
 *   <li>every record below a leader's high watermark is on every member of the ISR that leader uses,
 *       at the same offset with the same epoch;</li>
 *   <li>every acknowledged acks=all record is on every member of the partition's committed ISR (a
 *       crashed member's log counts: a killed process keeps what it wrote), so no election can lose it.</li>
 * </ol>
 * Invariant 4 is checked when it can change: on an acknowledgement, when a broker joins a committed
 * ISR, and when a member's log is cut. {@link #verifyConverged} checks the healed end state.
 *
 * <p>Not thread-safe: the simulation's event loop only.
 */
final class ReplicationInvariants {

    private final ReplicationSimulation sim;
    /** (partition, leader epoch) → the broker that led it. */
    private final Map<LeaderEpoch, Integer> leaders = new HashMap<>();
    /** (broker, incarnation, partition) → the leader epoch and high watermark last seen. */
    private final Map<Replica, long[]> highWatermarks = new HashMap<>();
    /** partition → offset → acknowledged value. */
    private final Map<TopicPartition, Map<Long, String>> acked = new HashMap<>();
    private final Map<TopicPartition, List<Integer>> lastIsr = new HashMap<>();
    private final Map<Replica, Integer> lastTruncations = new HashMap<>();

    private MetadataImage lastImage;
    private int lastTotalTruncations = -1;

    private record LeaderEpoch(TopicPartition tp, int leaderEpoch) {
    }

    private record Replica(int brokerId, int incarnation, TopicPartition tp) {
    }

    ReplicationInvariants(ReplicationSimulation sim) {
        this.sim = sim;
    }

    int leaderEpochsSeen() {
        return leaders.size();
    }

    int ackedCount() {
        return acked.values().stream().mapToInt(Map::size).sum();
    }

    void onAcked(TopicPartition tp, long offset, String value) {
        String before = acked.computeIfAbsent(tp, k -> new HashMap<>()).putIfAbsent(offset, value);
        if (before != null && !before.equals(value)) {
            throw new AssertionError("Two acknowledged records at one offset: " + tp + " offset=" + offset + " "
                    + before + " and " + value);
        }
        for (int member : committedIsr(tp)) {
            checkAcked(tp, member, offset, value);
        }
    }

    void verify() {
        for (SimBroker broker : sim.brokers()) {
            for (Map.Entry<TopicPartition, Partition> e : broker.partitions().entrySet()) {
                Partition p = e.getValue();
                if (p.isLeader()) {
                    verifyLeader(broker, e.getKey(), p);
                }
            }
        }
        MetadataImage image = sim.controller().image();
        int truncations = 0;
        for (SimBroker broker : sim.brokers()) {
            truncations += broker.truncations();
        }
        if (image == lastImage && truncations == lastTotalTruncations) {
            return; // neither a committed ISR nor a log was cut: invariant 4 cannot have changed
        }
        lastImage = image;
        lastTotalTruncations = truncations;
        TopicImage topic = image.topics().byName(ReplicationSimulation.TOPIC).orElse(null);
        if (topic == null) {
            return;
        }
        for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
            TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
            List<Integer> isr = e.getValue().isr();
            List<Integer> before = lastIsr.put(tp, isr);
            for (int member : isr) {
                Replica key = new Replica(member, 0, tp);
                int memberTruncations = sim.broker(member).view(tp).truncations();
                Integer seen = lastTruncations.put(key, memberTruncations);
                boolean joined = before == null || !before.contains(member);
                if (joined || !Objects.equals(seen, memberTruncations)) {
                    checkAllAcked(tp, member);
                }
            }
        }
    }

    private void verifyLeader(SimBroker broker, TopicPartition tp, Partition p) {
        Integer other = leaders.putIfAbsent(new LeaderEpoch(tp, p.leaderEpoch()), broker.nodeId());
        if (other != null && other != broker.nodeId()) {
            throw new AssertionError("Two leaders of " + tp + " in leader epoch " + p.leaderEpoch() + ": brokers "
                    + other + " and " + broker.nodeId());
        }
        long highWatermark = p.highWatermark();
        long[] last = highWatermarks.put(new Replica(broker.nodeId(), broker.incarnation(), tp),
                new long[] {p.leaderEpoch(), highWatermark});
        if (last != null && last[0] == p.leaderEpoch() && highWatermark < last[1]) {
            throw new AssertionError("High watermark of " + tp + " went back on leader " + broker.nodeId()
                    + " in epoch " + p.leaderEpoch() + ": from " + last[1] + " to " + highWatermark);
        }
        ReplicaView leaderView = broker.view(tp);
        if (leaderView.logEndOffset() < highWatermark) {
            throw new AssertionError("High watermark " + highWatermark + " of " + tp + " on leader " + broker.nodeId()
                    + " is above its log end " + leaderView.logEndOffset());
        }
        for (int member : p.isr()) {
            if (member == broker.nodeId()) {
                continue;
            }
            ReplicaView memberView = sim.broker(member).view(tp);
            if (memberView.logEndOffset() < highWatermark
                    || memberView.prefixHash(highWatermark) != leaderView.prefixHash(highWatermark)) {
                throw new AssertionError("Records below the high watermark " + highWatermark + " of " + tp
                        + " on leader " + broker.nodeId() + " (epoch " + p.leaderEpoch() + ", isr " + p.isr()
                        + ") are not all on ISR member " + member + ": " + firstDifference(leaderView, memberView,
                        highWatermark));
            }
        }
    }

    private static String firstDifference(ReplicaView a, ReplicaView b, long upTo) {
        for (long offset = 0; offset < upTo; offset++) {
            if (!Objects.equals(a.at(offset), b.at(offset))) {
                return "at offset " + offset + " the leader has " + a.at(offset) + ", the member " + b.at(offset);
            }
        }
        return "none below " + upTo;
    }

    private List<Integer> committedIsr(TopicPartition tp) {
        return sim.controller().image().topics().byName(tp.topic())
                .map(t -> t.partitions().get(tp.partition()))
                .map(PartitionRegistration::isr).orElse(List.of());
    }

    private void checkAllAcked(TopicPartition tp, int member) {
        for (Map.Entry<Long, String> e : acked.getOrDefault(tp, Map.of()).entrySet()) {
            checkAcked(tp, member, e.getKey(), e.getValue());
        }
    }

    private void checkAcked(TopicPartition tp, int member, long offset, String value) {
        ReplicaView.Entry entry = sim.broker(member).view(tp).at(offset);
        if (entry == null || !entry.value().equals(value)) {
            throw new AssertionError("Acknowledged record " + value + " at offset " + offset + " of " + tp
                    + " is not on committed ISR member " + member + " (isr " + committedIsr(tp) + "), which has "
                    + entry);
        }
    }

    /** After healing: every replica holds the same records, and every acknowledged one at its offset. */
    void verifyConverged(List<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            List<ReplicaView> replicas = new ArrayList<>();
            for (SimBroker broker : sim.brokers()) {
                replicas.add(broker.view(tp));
            }
            ReplicaView first = replicas.get(0);
            for (int i = 1; i < replicas.size(); i++) {
                ReplicaView other = replicas.get(i);
                if (other.logEndOffset() != first.logEndOffset()
                        || other.prefixHash(other.logEndOffset()) != first.prefixHash(first.logEndOffset())) {
                    throw new AssertionError("Replicas of " + tp + " differ after healing: broker 1 " + first
                            + ", broker " + (i + 1) + " " + other + ": "
                            + firstDifference(first, other, Math.max(first.logEndOffset(), other.logEndOffset())));
                }
            }
            for (SimBroker broker : sim.brokers()) {
                checkAllAcked(tp, broker.nodeId());
            }
        }
    }
}
