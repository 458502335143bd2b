package io.strand.broker.api.share;

import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.Optional;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/** What ShareFetch and ShareAcknowledge share: topic ids resolved, leadership checked, ack batches converted. */
final class ShareAcks {

    private ShareAcks() {
    }

    /** The partition named by id, its name filled in from the image; the topic name is null if unknown. */
    static TopicIdPartition resolve(MetadataImage image, Uuid topicId, int partition) {
        String name = image.topics().byId(topicId).map(TopicImage::name).orElse(null);
        return new TopicIdPartition(topicId, partition, name);
    }

    /** The partition if this broker leads it; otherwise the error to answer for it. */
    static Object leaderOrError(ReplicaManager replicaManager, TopicIdPartition tip) {
        if (tip.topic() == null) {
            return Errors.UNKNOWN_TOPIC_ID;
        }
        Optional<Partition> partition = replicaManager.partition(tip.topicPartition());
        if (partition.isEmpty()) {
            return replicaManager.isOffline(tip.topicPartition())
                    ? Errors.KAFKA_STORAGE_ERROR : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        return partition.get().isLeader() ? partition.get() : Errors.NOT_LEADER_OR_FOLLOWER;
    }

}
