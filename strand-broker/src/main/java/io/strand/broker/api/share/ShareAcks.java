package io.strand.broker.api.share;

import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.broker.share.SharePartition;
import java.util.List;
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

    /**
     * Kafka's broker checks of one partition's acknowledgement batches, before the share-partition sees them:
     * INVALID_REQUEST for a batch whose first offset is past its last, one starting before the previous batch's
     * last offset, no types, several types not one per offset, a type outside 0..3 (0..4 at v2), RENEW (4)
     * outside a renewal ({@code is_renew_ack}); NONE otherwise.
     */
    static Errors checkBatches(List<SharePartition.Acknowledgement> batches, short version, boolean renewAck) {
        long previousLast = -1;
        int maxType = version == 2 ? SharePartition.RENEW : SharePartition.REJECT;
        for (SharePartition.Acknowledgement batch : batches) {
            List<Byte> types = batch.types();
            if (batch.firstOffset() > batch.lastOffset() || batch.firstOffset() < previousLast
                    || types == null || types.isEmpty()
                    || types.size() > 1 && batch.lastOffset() - batch.firstOffset() != types.size() - 1
                    || types.stream().anyMatch(t -> t < 0 || t > maxType)
                    || !renewAck && types.contains(SharePartition.RENEW)) {
                return Errors.INVALID_REQUEST;
            }
            previousLast = batch.lastOffset();
        }
        return Errors.NONE;
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
