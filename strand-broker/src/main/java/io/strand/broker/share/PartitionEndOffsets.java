package io.strand.broker.share;

import io.strand.broker.fetcher.LeaderOffsets;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.BrokerRequestSender;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's end offset (its high watermark) for the lag DescribeShareGroupOffsets answers, as Kafka's
 * group coordinator finds it: this broker's own when it leads the partition; else the leader's, asked with a
 * ListOffsets (LATEST, as a consumer asks it) over the inter-broker connections, since the group coordinator
 * may hold no replica of the partition, or a follower's high watermark behind the leader's. Empty (lag
 * unknown, answered as -1) when the partition has no leader or the request fails.
 *
 * <p>Thread-safe: stateless; a remote answer completes on the sender's thread.
 */
public final class PartitionEndOffsets implements Function<TopicPartition, CompletableFuture<OptionalLong>> {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionEndOffsets.class);
    /** ListOffsets v1 is the first with one offset per partition (v0 answers a list). */
    private static final short MIN_LIST_OFFSETS_VERSION = 1;

    private final ReplicaManager replicaManager;
    private final Supplier<MetadataImage> image;
    private final BrokerRequestSender sender;

    public PartitionEndOffsets(ReplicaManager replicaManager, Supplier<MetadataImage> image,
                               BrokerRequestSender sender) {
        this.replicaManager = replicaManager;
        this.image = image;
        this.sender = sender;
    }

    @Override
    public CompletableFuture<OptionalLong> apply(TopicPartition tp) {
        Optional<Partition> local = replicaManager.partition(tp).filter(Partition::isLeader);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(OptionalLong.of(local.get().highWatermark()));
        }
        int leader = image.get().topics().byName(tp.topic()).flatMap(t -> t.partition(tp.partition()))
                .filter(PartitionRegistration::hasLeader).map(PartitionRegistration::leader).orElse(-1);
        if (leader < 0) {
            return CompletableFuture.completedFuture(OptionalLong.empty());
        }
        return sender.send(leader, ApiKeys.LIST_OFFSETS, MIN_LIST_OFFSETS_VERSION,
                        version -> LeaderOffsets.request(-1, tp, -1, ListOffsetsRequest.LATEST_TIMESTAMP))
                .thenApply(response -> OptionalLong.of(LeaderOffsets.offsetIn((ListOffsetsResponseData) response, tp,
                        ListOffsetsRequest.LATEST_TIMESTAMP)))
                .exceptionally(failure -> {
                    LOG.debug("The end offset of {} from its leader {} is unknown: {}", tp, leader, failure.toString());
                    return OptionalLong.empty();
                });
    }
}
