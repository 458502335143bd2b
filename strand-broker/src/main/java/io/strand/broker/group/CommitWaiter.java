package io.strand.broker.group;

import io.strand.broker.replica.Partition;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;

/**
 * Waits for a partition's high watermark: how {@code __consumer_offsets} appends and shard loads learn
 * that their records are committed. Must never block the caller: the future completes later, on
 * whichever thread advances the high watermark or ends the leadership.
 *
 * <p>The broker's replication provides the real implementation, {@code Partition::awaitHighWatermark}
 * (complete once the high watermark is at least the offset, fail with NOT_LEADER_OR_FOLLOWER if the
 * leadership is lost first); {@link #SINGLE_REPLICA} stands in until then.
 */
@FunctionalInterface
public interface CommitWaiter {

    /**
     * A future completed once {@code partition}'s high watermark is at least {@code offset} (every record
     * before {@code offset} is committed), or exceptionally with NOT_LEADER_OR_FOLLOWER if this broker
     * stops leading the partition first.
     */
    CompletableFuture<Void> awaitHighWatermark(Partition partition, long offset);

    /**
     * Stopgap until the leader side's {@code Partition.awaitHighWatermark} exists: correct only while
     * this broker is the partition's single in-sync replica, whose high watermark follows its log end
     * as soon as an append returns. Completes at once when the high watermark is already there; fails
     * with NOT_LEADER_OR_FOLLOWER if this broker does not lead the partition, and otherwise with
     * NOT_ENOUGH_REPLICAS (clients see COORDINATOR_NOT_AVAILABLE and retry) rather than acknowledging
     * records no follower holds.
     */
    CommitWaiter SINGLE_REPLICA = (partition, offset) -> {
        if (!partition.isLeader()) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(
                    "This broker does not lead " + partition.topicPartition()));
        }
        if (partition.log().highWatermark() >= offset) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.failedFuture(new NotEnoughReplicasException("High watermark of "
                + partition.topicPartition() + " is " + partition.log().highWatermark() + ", below offset=" + offset
                + ", and this build cannot wait for followers"));
    };
}
