package io.strand.metadata.image;

import io.strand.metadata.record.PartitionRecord;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The state of one partition in a {@link MetadataImage}: replicas (the first is the preferred
 * leader), in-sync replicas, the leader (-1 = none) and the epochs that fence stale leaders and
 * stale updates. Immutable.
 */
public record PartitionRegistration(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                    int partitionEpoch) {
    /** The broker id meaning "no leader". */
    public static final int NO_LEADER = -1;

    public PartitionRegistration {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /** The partition state a record carries, without its topic id and partition index. */
    public static PartitionRegistration of(PartitionRecord record) {
        return new PartitionRegistration(record.replicas(), record.isr(), record.leader(), record.leaderEpoch(),
                record.partitionEpoch());
    }

    public PartitionRecord toRecord(Uuid topicId, int partitionId) {
        return new PartitionRecord(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }
}
