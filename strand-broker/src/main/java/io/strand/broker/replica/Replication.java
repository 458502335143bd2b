package io.strand.broker.replica;

import io.strand.broker.metrics.IsrChangeMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.utils.Time;

/**
 * What the leader side of replication needs from outside the replica package.
 *
 * @param time                the clock the ISR's lag is measured with
 * @param replicaLagTimeMaxMs {@code replica.lag.time.max.ms}: a follower that has not caught up with
 *                            the leader's log end for this long leaves the ISR
 * @param alterPartition      sends an ISR change to the active controller (AlterPartition v3, topic
 *                            ids, broker epochs); must not block (it is called on a follower's fetch,
 *                            on an event loop); the future completes on any thread, fails if no
 *                            controller answered
 * @param localBrokerEpoch    this broker's epoch as its registration answered (-1 before)
 * @param followerFetching    starts and stops the fetcher of each partition this broker follows
 * @param isrEligibility      whether a follower may join an ISR (KIP-903/KIP-841): registered with
 *                            the broker epoch it fetches with, not fenced, not shutting down
 * @param isrChanges          counts each ISR change the controller accepted for a partition led here
 */
public record Replication(Time time, long replicaLagTimeMaxMs,
                          Function<AlterPartitionRequestData, CompletableFuture<AlterPartitionResponseData>> alterPartition,
                          LongSupplier localBrokerEpoch, FollowerFetching followerFetching,
                          IsrEligibility isrEligibility, IsrChangeMetrics isrChanges) {

    /** Whether broker {@code brokerId}, fetching with {@code brokerEpoch} (-1 if its fetch did not say), may join an ISR. */
    @FunctionalInterface
    public interface IsrEligibility {
        /** Any broker may join: until the metadata image carries broker epochs and fencing. */
        IsrEligibility ANY = (brokerId, brokerEpoch) -> true;

        boolean isEligible(int brokerId, long brokerEpoch);
    }

    /** Kafka's default {@code replica.lag.time.max.ms}. */
    public static final long DEFAULT_REPLICA_LAG_TIME_MAX_MS = 30_000L;

    /** As the canonical constructor, counting no ISR change. */
    public Replication(Time time, long replicaLagTimeMaxMs,
                       Function<AlterPartitionRequestData, CompletableFuture<AlterPartitionResponseData>> alterPartition,
                       LongSupplier localBrokerEpoch, FollowerFetching followerFetching, IsrEligibility isrEligibility) {
        this(time, replicaLagTimeMaxMs, alterPartition, localBrokerEpoch, followerFetching, isrEligibility,
                IsrChangeMetrics.NONE);
    }

    public Replication {
        if (replicaLagTimeMaxMs <= 0) {
            throw new IllegalArgumentException("replica.lag.time.max.ms must be positive: " + replicaLagTimeMaxMs);
        }
    }

    /**
     * A single broker's: no follower ever joins an ISR of one, so no ISR change is ever sent; one
     * would fail.
     */
    public static Replication singleNode(Time time) {
        return new Replication(time, DEFAULT_REPLICA_LAG_TIME_MAX_MS,
                request -> CompletableFuture.failedFuture(
                        new UnsupportedVersionException("no controller channel to send AlterPartition")),
                () -> -1L, FollowerFetching.NONE, IsrEligibility.ANY);
    }
}
