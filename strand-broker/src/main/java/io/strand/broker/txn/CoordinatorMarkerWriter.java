package io.strand.broker.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Writes transaction markers to the partitions a coordinator owns (the group coordinator's
 * {@code __consumer_offsets}: a marker there also makes the transaction's pending offset commits
 * visible or drops them), which the WriteTxnMarkers handler hands over instead of appending itself.
 * Thread-safe.
 */
public interface CoordinatorMarkerWriter {

    /** Owns no partition: the handler appends every marker itself. */
    CoordinatorMarkerWriter NONE = new CoordinatorMarkerWriter() {
        @Override
        public boolean owns(TopicPartition partition) {
            return false;
        }

        @Override
        public CompletableFuture<Errors> writeMarker(TopicPartition partition, long producerId, short producerEpoch,
                                                     int coordinatorEpoch, boolean commit) {
            return CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
    };

    /** Whether markers for {@code partition} go through {@link #writeMarker}. */
    boolean owns(TopicPartition partition);

    /**
     * Writes the marker once it is replicated (acks=all), completing with {@link Errors#NONE}, or with the
     * error to answer for the partition (NOT_LEADER_OR_FOLLOWER, …). Never completes exceptionally.
     */
    CompletableFuture<Errors> writeMarker(TopicPartition partition, long producerId, short producerEpoch,
                                          int coordinatorEpoch, boolean commit);
}
