package io.strand.broker.api.txn;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.coordinator.txn.TransactionCoordinator;
import io.strand.coordinator.txn.TransactionErrors;
import io.strand.coordinator.txn.TransactionVersions;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn (v0–5). v0–3 are a producer's: one transaction, its partitions added, one error
 * for all (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH before v2). v4+ are a partition leader's (KIP-890):
 * several transactions, each added or, with {@code verify_only}, checked (NONE, or TRANSACTION_ABORTABLE
 * for a partition not in the transaction), each with its own results. In both, as Kafka: a partition
 * the metadata image does not know gets UNKNOWN_TOPIC_OR_PARTITION (and before v4 one of an internal
 * topic, which no client may write, TOPIC_AUTHORIZATION_FAILED) and the others of its transaction
 * OPERATION_NOT_ATTEMPTED, and nothing is added. The coordinator's one error is answered for every
 * topic the request named, even one with no partitions, as Kafka's response mirrors the request.
 */
final class AddPartitionsToTxnHandler implements ApiHandler<AddPartitionsToTxnRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;
    private static final short FIRST_BATCHED_VERSION = 4;

    private final TransactionCoordinatorService service;

    AddPartitionsToTxnHandler(TransactionCoordinatorService service) {
        this.service = service;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<AddPartitionsToTxnResponseData> handle(RequestContext context,
                                                                   AddPartitionsToTxnRequest request) {
        short version = context.apiVersion();
        if (version < FIRST_BATCHED_VERSION) {
            String transactionalId = request.data().v3AndBelowTransactionalId();
            return handleOne(version, transactionalId, request.data().v3AndBelowProducerId(),
                    request.data().v3AndBelowProducerEpoch(), false, request.data().v3AndBelowTopics())
                    .thenApply(result -> new AddPartitionsToTxnResponseData()
                            .setResultsByTopicV3AndBelow(result.topicResults()));
        }
        List<CompletableFuture<AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (AddPartitionsToTxnTransaction txn : request.data().transactions()) {
            results.add(handleOne(version, txn.transactionalId(), txn.producerId(), txn.producerEpoch(),
                    txn.verifyOnly(), txn.topics()));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
            results.forEach(f -> response.resultsByTransaction().add(f.join()));
            return response;
        });
    }

    private CompletableFuture<AddPartitionsToTxnResult> handleOne(short version, String transactionalId,
                                                                  long producerId, short producerEpoch,
                                                                  boolean verifyOnly,
                                                                  AddPartitionsToTxnTopicCollection topics) {
        String id = transactionalId == null ? "" : transactionalId;
        List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(topics);
        MetadataImage image = service.image();
        Map<TopicPartition, Errors> unknown = new HashMap<>();
        for (TopicPartition tp : partitions) {
            if (version < FIRST_BATCHED_VERSION && Topic.isInternal(tp.topic())) {
                unknown.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
            } else if (image.topics().byName(tp.topic()).flatMap(t -> t.partition(tp.partition())).isEmpty()) {
                unknown.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
        if (!unknown.isEmpty()) {
            partitions.forEach(tp -> unknown.putIfAbsent(tp, Errors.OPERATION_NOT_ATTEMPTED));
            return CompletableFuture.completedFuture(AddPartitionsToTxnResponse.resultForTransaction(id, unknown));
        }
        TransactionCoordinator coordinator = service.coordinator();
        if (verifyOnly) {
            return coordinator.verifyPartitionsInTxn(transactionalId, producerId, producerEpoch, partitions);
        }
        return coordinator.addPartitionsToTxn(transactionalId, producerId, producerEpoch, partitions,
                        TransactionVersions.forAddPartitionsVersion(version))
                .thenApply(error -> everyTopic(id, topics,
                        TransactionErrors.forClient(ApiKeys.ADD_PARTITIONS_TO_TXN, version, error)));
    }

    /** {@code error} for every partition of every topic of the request's transaction, empty topics too. */
    private static AddPartitionsToTxnResult everyTopic(String transactionalId, AddPartitionsToTxnTopicCollection topics,
                                                       Errors error) {
        AddPartitionsToTxnTopicResultCollection results = new AddPartitionsToTxnTopicResultCollection();
        for (AddPartitionsToTxnTopic topic : topics) {
            AddPartitionsToTxnTopicResult result = new AddPartitionsToTxnTopicResult().setName(topic.name());
            for (int partition : topic.partitions()) {
                result.resultsByPartition().add(new AddPartitionsToTxnPartitionResult().setPartitionIndex(partition)
                        .setPartitionErrorCode(error.code()));
            }
            results.add(result);
        }
        return new AddPartitionsToTxnResult().setTransactionalId(transactionalId).setTopicResults(results);
    }
}
