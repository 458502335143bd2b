package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;

/**
 * The transaction checks, as Kafka's KafkaApis makes them:
 * <ul>
 *   <li>InitProducerId: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without
 *       one (an idempotent producer) IDEMPOTENT_WRITE on the cluster or WRITE on some topic
 *       (CLUSTER_AUTHORIZATION_FAILED).</li>
 *   <li>AddPartitionsToTxn: from v4 (brokers verifying) CLUSTER_ACTION; before, WRITE on the
 *       transactional id, and WRITE on every topic, else those partitions TOPIC_AUTHORIZATION_FAILED,
 *       partitions the cluster does not have UNKNOWN_TOPIC_OR_PARTITION and the others
 *       OPERATION_NOT_ATTEMPTED (nothing added).</li>
 *   <li>AddOffsetsToTxn: WRITE on the transactional id, READ on the group.</li>
 *   <li>EndTxn: WRITE on the transactional id.</li>
 *   <li>TxnOffsetCommit: WRITE on the transactional id, READ on the group, READ per topic
 *       (TOPIC_AUTHORIZATION_FAILED per partition, not committed).</li>
 *   <li>DescribeTransactions: DESCRIBE per transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).</li>
 *   <li>ListTransactions: only the transactional ids the caller may DESCRIBE.</li>
 * </ul>
 */
final class TransactionChecks {

    private TransactionChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image) {
        checks.put(ApiKeys.INIT_PRODUCER_ID, (Check<InitProducerIdRequest>) (context, request, handler) -> {
            String transactionalId = request.data().transactionalId();
            if (transactionalId != null) {
                auth.requireTransactionalId(context, AclOperation.WRITE, transactionalId);
            } else if (!auth.authorizeClusterFilter(context, AclOperation.IDEMPOTENT_WRITE)
                    && !auth.authorizeAny(context, AclOperation.WRITE, ResourceType.TOPIC)) {
                throw new ClusterAuthorizationException("Request " + context.apiKey() + " is not authorized.");
            }
            return handler.handle(context, request);
        });
        checks.put(ApiKeys.ADD_PARTITIONS_TO_TXN, (Check<AddPartitionsToTxnRequest>) (context, request, handler) -> {
            if (request.version() >= 4) {
                auth.requireCluster(context, AclOperation.CLUSTER_ACTION);
                return handler.handle(context, request);
            }
            String transactionalId = request.data().v3AndBelowTransactionalId();
            auth.requireTransactionalId(context, AclOperation.WRITE, transactionalId);
            List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(request.data().v3AndBelowTopics());
            boolean anyRefused = false;
            Map<TopicPartition, Errors> errors = new HashMap<>();
            MetadataImage current = image.get();
            for (TopicPartition tp : partitions) {
                boolean allowed = auth.authorize(context, AclOperation.WRITE, ResourceType.TOPIC, tp.topic());
                anyRefused |= !allowed;
                // As Kafka: beside a refused topic, a partition the cluster does not have is named as such.
                boolean known = current.topics().byName(tp.topic())
                        .flatMap(topic -> topic.partition(tp.partition())).isPresent();
                errors.put(tp, !allowed ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : known ? Errors.OPERATION_NOT_ATTEMPTED : Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
            if (!anyRefused) {
                return handler.handle(context, request);
            }
            AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(
                    AddPartitionsToTxnResponse.resultForTransaction(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID,
                            errors).topicResults());
            return java.util.concurrent.CompletableFuture.completedFuture(response);
        });
        checks.put(ApiKeys.ADD_OFFSETS_TO_TXN, (Check<AddOffsetsToTxnRequest>) (context, request, handler) -> {
            auth.requireTransactionalId(context, AclOperation.WRITE, request.data().transactionalId());
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            return handler.handle(context, request);
        });
        checks.put(ApiKeys.END_TXN, (Check<EndTxnRequest>) (context, request, handler) -> {
            auth.requireTransactionalId(context, AclOperation.WRITE, request.data().transactionalId());
            return handler.handle(context, request);
        });
        checks.put(ApiKeys.TXN_OFFSET_COMMIT, (Check<TxnOffsetCommitRequest>) (context, request, handler) -> {
            auth.requireTransactionalId(context, AclOperation.WRITE, request.data().transactionalId());
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            List<TxnOffsetCommitResponseTopic> refused = new ArrayList<>();
            request.data().topics().removeIf((TxnOffsetCommitRequestTopic topic) -> {
                if (auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, topic.name())) {
                    return false;
                }
                TxnOffsetCommitResponseTopic result = new TxnOffsetCommitResponseTopic().setName(topic.name());
                for (TxnOffsetCommitRequestPartition p : topic.partitions()) {
                    result.partitions().add(new TxnOffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                }
                refused.add(result);
                return true;
            });
            return GroupChecks.withRefused(refused.isEmpty() || !request.data().topics().isEmpty()
                            ? handler.handle(context, request) : null, new TxnOffsetCommitResponseData(),
                    response -> ((TxnOffsetCommitResponseData) response).topics().addAll(refused));
        });
        checks.put(ApiKeys.DESCRIBE_TRANSACTIONS, (Check<DescribeTransactionsRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    List<DescribeTransactionsResponseData.TransactionState> states =
                            ((DescribeTransactionsResponseData) message).transactionStates();
                    for (int i = 0; i < states.size(); i++) {
                        String id = states.get(i).transactionalId();
                        if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
                            states.set(i, new DescribeTransactionsResponseData.TransactionState().setTransactionalId(id)
                                    .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
                        }
                    }
                    return message;
                }));
        checks.put(ApiKeys.LIST_TRANSACTIONS, (Check<ListTransactionsRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    ((ListTransactionsResponseData) message).transactionStates().removeIf(state ->
                            !auth.authorizeFilter(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID,
                                    state.transactionalId()));
                    return message;
                }));
    }
}
