package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.broker.network.CloseConnectionException;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The topic checks of the data path, as Kafka's KafkaApis makes them:
 * <ul>
 *   <li>Produce: a transactional request whose transactional id the caller may not WRITE fails whole
 *       with TRANSACTIONAL_ID_AUTHORIZATION_FAILED; each topic it may not WRITE is answered
 *       TOPIC_AUTHORIZATION_FAILED and not appended. With acks=0 either closes the connection, the only
 *       answer such a producer sees, as Kafka does: the transactional id's denial at once (the request
 *       has no error response), a topic's once the topics it may write are appended. No IDEMPOTENT_WRITE
 *       check: Kafka dropped it (KIP-679).</li>
 *   <li>Fetch: a follower needs CLUSTER_ACTION on the cluster, else every partition is answered
 *       TOPIC_AUTHORIZATION_FAILED; a consumer's partitions of topics it may not READ are answered
 *       TOPIC_AUTHORIZATION_FAILED with no records and no aborted transactions (an empty list; also
 *       partitions of its fetch session); a sessionless
 *       or new-session fetch of only such topics does not wait for data.</li>
 *   <li>ListOffsets: DESCRIBE per topic, else TOPIC_AUTHORIZATION_FAILED with offset -1.</li>
 *   <li>OffsetForLeaderEpoch: a follower needs CLUSTER_ACTION (else CLUSTER_AUTHORIZATION_FAILED);
 *       a consumer CLUSTER_ACTION on the cluster for every topic, else DESCRIBE per topic, else
 *       TOPIC_AUTHORIZATION_FAILED.</li>
 *   <li>DescribeProducers: READ per topic, else TOPIC_AUTHORIZATION_FAILED.</li>
 * </ul>
 */
final class TopicChecks {

    private TopicChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image) {
        checks.put(ApiKeys.PRODUCE, (Check<ProduceRequest>) (context, request, handler) ->
                produce(auth, image, context, request, handler));
        checks.put(ApiKeys.FETCH, (Check<FetchRequest>) (context, request, handler) -> {
            boolean follower = request.isFromFollower();
            boolean clusterAction = follower && auth.authorizeCluster(context, AclOperation.CLUSTER_ACTION);
            if (!follower && request.data().sessionId() == 0 && mayReadNone(auth, image.get(), context, request)) {
                // Nothing it may read: answered at once, as Kafka answers a fetch of only refused partitions.
                request.data().setMaxWaitMs(0);
            }
            return handler.handle(context, request).thenApply(message -> {
                FetchResponseData response = (FetchResponseData) message;
                if (follower && clusterAction) {
                    return response;
                }
                MetadataImage current = image.get();
                for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
                    String name = name(current, topic.topic(), topic.topicId());
                    if (follower || (name != null && !auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, name))) {
                        for (FetchResponseData.PartitionData p : topic.partitions()) {
                            p.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setHighWatermark(-1)
                                    .setLastStableOffset(-1).setLogStartOffset(-1)
                                    .setAbortedTransactions(new ArrayList<>())
                                    .setPreferredReadReplica(-1).setRecords(MemoryRecords.EMPTY)
                                    .setDivergingEpoch(new FetchResponseData.EpochEndOffset())
                                    .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch());
                        }
                    }
                }
                return response;
            });
        });
        checks.put(ApiKeys.LIST_OFFSETS, (Check<ListOffsetsRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    ListOffsetsResponseData response = (ListOffsetsResponseData) message;
                    for (ListOffsetsResponseData.ListOffsetsTopicResponse topic : response.topics()) {
                        if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                            for (ListOffsetsResponseData.ListOffsetsPartitionResponse p : topic.partitions()) {
                                p.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setOffset(-1)
                                        .setTimestamp(-1).setLeaderEpoch(-1);
                            }
                        }
                    }
                    return response;
                }));
        checks.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, (Check<OffsetsForLeaderEpochRequest>) (context, request, handler) -> {
            if (request.data().replicaId() >= 0) {
                auth.requireCluster(context, AclOperation.CLUSTER_ACTION);
                return handler.handle(context, request);
            }
            if (auth.authorizeClusterFilter(context, AclOperation.CLUSTER_ACTION)) {
                // As Kafka: the API was the followers' first, so CLUSTER_ACTION still answers every topic.
                return handler.handle(context, request);
            }
            return handler.handle(context, request).thenApply(message -> {
                OffsetForLeaderEpochResponseData response = (OffsetForLeaderEpochResponseData) message;
                for (OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topic : response.topics()) {
                    if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.topic())) {
                        for (OffsetForLeaderEpochResponseData.EpochEndOffset p : topic.partitions()) {
                            p.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setLeaderEpoch(-1).setEndOffset(-1);
                        }
                    }
                }
                return response;
            });
        });
        checks.put(ApiKeys.DESCRIBE_PRODUCERS, (Check<DescribeProducersRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    DescribeProducersResponseData response = (DescribeProducersResponseData) message;
                    for (DescribeProducersResponseData.TopicResponse topic : response.topics()) {
                        if (!auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, topic.name())) {
                            for (DescribeProducersResponseData.PartitionResponse p : topic.partitions()) {
                                p.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                        .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message());
                                p.activeProducers().clear();
                            }
                        }
                    }
                    return response;
                }));
    }

    private static CompletableFuture<ProduceResponseData> produce(
            Authorization auth, Supplier<MetadataImage> image, RequestContext context, ProduceRequest request,
            io.strand.broker.network.ApiHandler<ProduceRequest> handler) {
        String transactionalId = request.data().transactionalId();
        if (transactionalId != null) {
            auth.requireTransactionalId(context, AclOperation.WRITE, transactionalId);
        }
        MetadataImage current = image.get();
        List<TopicProduceResponse> refused = new ArrayList<>();
        var it = request.data().topicData().iterator();
        while (it.hasNext()) {
            TopicProduceData topic = it.next();
            String name = name(current, topic.name(), topic.topicId());
            if (name == null || auth.authorize(context, AclOperation.WRITE, ResourceType.TOPIC, name)) {
                continue;
            }
            TopicProduceResponse answer = new TopicProduceResponse().setName(topic.name()).setTopicId(topic.topicId());
            for (PartitionProduceData p : topic.partitionData()) {
                answer.partitionResponses().add(new PartitionProduceResponse().setIndex(p.index())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setBaseOffset(-1)
                        .setLogAppendTimeMs(-1).setLogStartOffset(-1));
            }
            refused.add(answer);
            it.remove();
        }
        if (refused.isEmpty()) {
            @SuppressWarnings("unchecked")
            CompletableFuture<ProduceResponseData> all =
                    (CompletableFuture<ProduceResponseData>) handler.handle(context, request);
            return all;
        }
        if (request.data().acks() == 0) {
            // As Kafka: the batches it may write are appended, then the connection closes, the only
            // answer an acks=0 producer sees.
            CompletableFuture<? extends ApiMessage> rest = request.data().topicData().isEmpty()
                    ? CompletableFuture.completedFuture(null)
                    : handler.handle(context, new ProduceRequest(request.data(), request.version()));
            return rest.thenApply(ignored -> {
                throw new CloseConnectionException("an acks=0 produce request names topics it may not write: "
                        + refused.stream().map(r -> r.name().isEmpty() ? r.topicId().toString() : r.name()).toList());
            });
        }
        CompletableFuture<ProduceResponseData> rest = request.data().topicData().isEmpty()
                ? CompletableFuture.completedFuture(new ProduceResponseData())
                : handler.handle(context, new ProduceRequest(request.data(), request.version()))
                        .thenApply(ProduceResponseData.class::cast);
        return rest.thenApply(response -> {
            response.responses().addAll(refused);
            return response;
        });
    }

    /** Whether the request names topics and the caller may READ none of them. */
    private static boolean mayReadNone(Authorization auth, MetadataImage image, RequestContext context,
                                       FetchRequest request) {
        if (request.data().topics().isEmpty()) {
            return false;
        }
        for (var topic : request.data().topics()) {
            String name = name(image, topic.topic(), topic.topicId());
            if (name == null || auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, name)) {
                return false;
            }
        }
        return true;
    }

    /** The topic's name: {@code name} when set, else the image's name of {@code topicId}; null if unknown. */
    static String name(MetadataImage image, String name, Uuid topicId) {
        if (name != null && !name.isEmpty()) {
            return name;
        }
        if (topicId == null || Uuid.ZERO_UUID.equals(topicId)) {
            return null;
        }
        return image.topics().byId(topicId).map(TopicImage::name).orElse(null);
    }
}
