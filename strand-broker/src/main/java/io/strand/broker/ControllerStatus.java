package io.strand.broker;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;

/**
 * The controller's view of the cluster as Kafka's controller reports it ({@code ActiveControllerCount},
 * {@code GlobalTopicCount}, {@code GlobalPartitionCount}, {@code OfflinePartitionsCount},
 * {@code PreferredReplicaImbalanceCount}): counted from the metadata image when asked, and only on
 * the node whose controller is active; every other node reports {@link #INACTIVE}, so that a sum over
 * the nodes counts each partition once.
 *
 * @param active                     whether this node's controller is the active one (it leads the
 *                                   metadata quorum)
 * @param offlinePartitions          partitions with no leader
 * @param preferredReplicaImbalance  partitions whose leader is not their first replica
 */
public record ControllerStatus(boolean active, int topics, int partitions, int offlinePartitions,
                               int preferredReplicaImbalance) {

    /** A node whose controller is not active, or that has none. */
    public static final ControllerStatus INACTIVE = new ControllerStatus(false, 0, 0, 0, 0);

    /** The counts of the active controller holding {@code image}. */
    public static ControllerStatus ofActive(MetadataImage image) {
        int topics = 0;
        int partitions = 0;
        int offline = 0;
        int imbalanced = 0;
        for (TopicImage topic : image.topics().all()) {
            topics++;
            for (PartitionRegistration partition : topic.partitions().values()) {
                partitions++;
                if (!partition.hasLeader()) {
                    offline++;
                }
                if (partition.replicas().isEmpty() || partition.leader() != partition.replicas().get(0)) {
                    imbalanced++;
                }
            }
        }
        return new ControllerStatus(true, topics, partitions, offline, imbalanced);
    }
}
