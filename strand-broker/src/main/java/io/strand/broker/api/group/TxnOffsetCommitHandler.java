package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.txn.TransactionVerifier;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.OffsetResponses;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * its partitions here, as does each partition a known topic does not have, and a request left with no
 * partition is answered without the coordinator; the response comes once the batch is committed. The
 * response has, once something was refused, one entry per topic name, none for a known topic that
 * named no partition (an unknown one has its entry, empty); with nothing refused it is the
 * coordinator's answer as it is (Kafka's response builder).
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
    /** The first version whose clients know TRANSACTION_ABORTABLE (KIP-890); older ones get INVALID_TXN_STATE. */
    static final short FIRST_ABORTABLE_VERSION = 4;

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
        // In the request's order, as Kafka's response builder has them: an unknown topic gets its entry
        // even without partitions, a known topic only with some.
        Map<String, TxnOffsetCommitResponseTopic> answered = new LinkedHashMap<>();
        for (TxnOffsetCommitRequestTopic topic : data.topics()) {
            Optional<TopicImage> found = topic.name() == null ? Optional.empty()
                    : current.topics().byName(topic.name());
            if (found.isEmpty() || !topic.partitions().isEmpty()) {
                answered.computeIfAbsent(topic.name(), name -> new TxnOffsetCommitResponseTopic().setName(name));
            }
        }
        boolean refusedAny = false;
        for (TxnOffsetCommitRequestTopic topic : data.topics()) {
            Optional<TopicImage> found = topic.name() == null ? Optional.empty()
                    : current.topics().byName(topic.name());
            refusedAny |= found.isEmpty();
            List<TxnOffsetCommitRequestPartition> existing = new ArrayList<>();
            for (TxnOffsetCommitRequestPartition p : topic.partitions()) {
                if (found.isPresent() && found.get().partition(p.partitionIndex()).isPresent()) {
                    existing.add(p);
                } else {
                    refusedAny = true;
                    add(answered, topic.name(), p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                }
            }
            if (!existing.isEmpty()) {
                known.add(new TxnOffsetCommitRequestTopic().setName(topic.name()).setPartitions(existing));
            }
        }
        if (known.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new TxnOffsetCommitResponseData().setTopics(new ArrayList<>(answered.values())));
        }
        data.setTopics(known);
        boolean merge = refusedAny;
        return verify(data, context.apiVersion())
                .thenCompose(error -> error == Errors.NONE ? coordinator.commitTransactionalOffsets(data)
                        : CompletableFuture.completedFuture(OffsetResponses.txnCommitError(data, error)))
                .thenApply(response -> {
                    if (!merge) {
                        return response; // nothing refused: Kafka's builder passes the answer as it is
                    }
                    for (TxnOffsetCommitResponseTopic topic : response.topics()) {
                        topic.partitions().forEach(p -> add(answered, topic.name(), p.partitionIndex(), p.errorCode()));
                    }
                    return response.setTopics(new ArrayList<>(answered.values()));
                });
    }

    /** Adds a partition's answer under its topic's one entry. */
    private static void add(Map<String, TxnOffsetCommitResponseTopic> answered, String topic, int partition,
                            short errorCode) {
        answered.computeIfAbsent(topic, name -> new TxnOffsetCommitResponseTopic().setName(name)).partitions()
                .add(new TxnOffsetCommitResponsePartition().setPartitionIndex(partition).setErrorCode(errorCode));
    }

    /**
     * The verifier's answer for the group's partition (from v5, to adding it to the transaction); a
     * request the coordinator refuses anyway (no group id, no producer) is left to it. An empty
     * transactional id is INVALID_REQUEST, as Kafka's transaction coordinator answers its verification
     * whatever the producer id. TRANSACTION_ABORTABLE (the partition not in the transaction) is
     * INVALID_TXN_STATE before v4, as Kafka answers clients that do not know it.
     */
    private CompletableFuture<Errors> verify(TxnOffsetCommitRequestData data, short version) {
        boolean add = version >= FIRST_ADD_PARTITION_VERSION;
        if (data.groupId() == null || data.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        if (data.transactionalId() == null || data.transactionalId().isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        if (data.producerId() < 0 || data.producerEpoch() < 0) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        TopicPartition partition = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                coordinator.partitionFor(data.groupId()));
        CompletableFuture<Errors> answer = add
                ? verifier.add(data.transactionalId(), data.producerId(), data.producerEpoch(), partition)
                : verifier.verify(data.transactionalId(), data.producerId(), data.producerEpoch(), partition);
        return answer.thenApply(error -> error == Errors.NETWORK_EXCEPTION ? Errors.COORDINATOR_LOAD_IN_PROGRESS
                : error == Errors.TRANSACTION_ABORTABLE && version < FIRST_ABORTABLE_VERSION ? Errors.INVALID_TXN_STATE
                : error);
    }
}
