package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.txn.TransactionVerifier;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.OffsetResponses;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;

/**
 * TxnOffsetCommit (v0–5, as Kafka 4.x advertises): a transactional producer commits a group's offsets
 * inside its transaction; the coordinator writes them in a transactional batch of the producer and
 * they stay pending until the transaction's marker reaches the group's {@code __consumer_offsets}
 * partition. v2 adds leader epochs, v3 the member id, generation and instance id the coordinator
 * checks. As in Kafka, a topic this cluster does not know gets UNKNOWN_TOPIC_OR_PARTITION for each of
 * its partitions here, and a request left with no topic is answered without the coordinator; the
 * response comes once the batch is committed.
 *
 * <p>Before the coordinator writes, the {@link TransactionVerifier} checks that the producer's
 * transaction holds the group's {@code __consumer_offsets} partition (KIP-890, Kafka's
 * {@code transaction.partition.verification.enable}); a refusal answers every partition with the
 * verifier's error (NETWORK_EXCEPTION, the transaction coordinator out of reach, as
 * COORDINATOR_LOAD_IN_PROGRESS, which the client retries, as Kafka does). v5 is the version of
 * transactions v2 producers, which send no AddOffsetsToTxn: the verifier adds the group's partition to
 * the transaction instead ({@link TransactionVerifier#add}), with the same translation of its errors.
 */
final class TxnOffsetCommitHandler implements ApiHandler<TxnOffsetCommitRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;
    /** The first version of transactions v2 producers, whose offsets partition is added implicitly. */
    static final short FIRST_ADD_PARTITION_VERSION = 5;

    private final GroupCoordinator coordinator;
    private final Supplier<MetadataImage> image;
    private final TransactionVerifier verifier;

    TxnOffsetCommitHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image,
                           TransactionVerifier verifier) {
        this.coordinator = coordinator;
        this.image = image;
        this.verifier = verifier;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.TXN_OFFSET_COMMIT;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<TxnOffsetCommitResponseData> handle(RequestContext context,
                                                                 TxnOffsetCommitRequest request) {
        TxnOffsetCommitRequestData data = request.data();
        MetadataImage current = image.get();
        List<TxnOffsetCommitRequestTopic> known = new ArrayList<>();
        List<TxnOffsetCommitResponseTopic> unknown = new ArrayList<>();
        for (TxnOffsetCommitRequestTopic topic : data.topics()) {
            if (topic.name() != null && current.topics().byName(topic.name()).isPresent()) {
                known.add(topic);
            } else {
                unknown.add(failed(topic, Errors.UNKNOWN_TOPIC_OR_PARTITION));
            }
        }
        if (known.isEmpty()) {
            return CompletableFuture.completedFuture(new TxnOffsetCommitResponseData().setTopics(unknown));
        }
        data.setTopics(known);
        return verify(data, context.apiVersion() >= FIRST_ADD_PARTITION_VERSION)
                .thenCompose(error -> error == Errors.NONE ? coordinator.commitTransactionalOffsets(data)
                        : CompletableFuture.completedFuture(OffsetResponses.txnCommitError(data, error)))
                .thenApply(response -> {
                    response.topics().addAll(unknown);
                    return response;
                });
    }

    /**
     * The verifier's answer for the group's partition (with {@code add}, to adding it to the
     * transaction); a request the coordinator refuses anyway (no group id, no producer) is left to it.
     */
    private CompletableFuture<Errors> verify(TxnOffsetCommitRequestData data, boolean add) {
        if (data.groupId() == null || data.groupId().isEmpty() || data.producerId() < 0
                || data.producerEpoch() < 0) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        TopicPartition partition = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                coordinator.partitionFor(data.groupId()));
        CompletableFuture<Errors> answer = add
                ? verifier.add(data.transactionalId(), data.producerId(), data.producerEpoch(), partition)
                : verifier.verify(data.transactionalId(), data.producerId(), data.producerEpoch(), partition);
        return answer.thenApply(error -> error == Errors.NETWORK_EXCEPTION ? Errors.COORDINATOR_LOAD_IN_PROGRESS
                : error);
    }

    private static TxnOffsetCommitResponseTopic failed(TxnOffsetCommitRequestTopic topic, Errors error) {
        TxnOffsetCommitResponseTopic out = new TxnOffsetCommitResponseTopic().setName(topic.name());
        for (TxnOffsetCommitRequestPartition p : topic.partitions()) {
            out.partitions().add(new TxnOffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setErrorCode(error.code()));
        }
        return out;
    }
}
