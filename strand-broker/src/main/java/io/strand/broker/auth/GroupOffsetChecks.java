package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The checks of a group's committed offsets, as Kafka's KafkaApis makes them:
 * <ul>
 *   <li>OffsetCommit: READ on the group (else GROUP_AUTHORIZATION_FAILED for everything), READ per
 *       topic (else its partitions TOPIC_AUTHORIZATION_FAILED, not committed).</li>
 *   <li>OffsetFetch: DESCRIBE per group (else GROUP_AUTHORIZATION_FAILED), DESCRIBE per topic: a named
 *       one is answered TOPIC_AUTHORIZATION_FAILED, an all-topics fetch leaves it out.</li>
 *   <li>OffsetDelete: DELETE on the group (whole request), READ per topic (TOPIC_AUTHORIZATION_FAILED
 *       per partition, not deleted).</li>
 * </ul>
 */
final class GroupOffsetChecks {

    private GroupOffsetChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image) {
        checks.put(ApiKeys.OFFSET_COMMIT, (Check<OffsetCommitRequest>) (context, request, handler) -> {
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            MetadataImage current = image.get();
            List<OffsetCommitResponseTopic> refused = new ArrayList<>();
            request.data().topics().removeIf((OffsetCommitRequestTopic topic) -> {
                String name = TopicChecks.name(current, topic.name(), topic.topicId());
                if (name == null || auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, name)) {
                    return false;
                }
                OffsetCommitResponseTopic result = new OffsetCommitResponseTopic().setName(topic.name())
                        .setTopicId(topic.topicId());
                for (OffsetCommitRequestPartition p : topic.partitions()) {
                    result.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                }
                refused.add(result);
                return true;
            });
            return GroupChecks.withRefused(refused.isEmpty() || !request.data().topics().isEmpty()
                            ? handler.handle(context, request) : null, new OffsetCommitResponseData(),
                    response -> ((OffsetCommitResponseData) response).topics().addAll(refused));
        });
        checks.put(ApiKeys.OFFSET_FETCH, (Check<OffsetFetchRequest>) (context, request, handler) ->
                offsetFetch(auth, image, context, request, handler));
        checks.put(ApiKeys.OFFSET_DELETE, (Check<OffsetDeleteRequest>) (context, request, handler) -> {
            auth.requireGroup(context, AclOperation.DELETE, request.data().groupId());
            List<OffsetDeleteResponseTopic> refused = new ArrayList<>();
            request.data().topics().removeIf(topic -> {
                if (auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, topic.name())) {
                    return false;
                }
                OffsetDeleteResponseTopic result = new OffsetDeleteResponseTopic().setName(topic.name());
                for (OffsetDeleteRequestPartition p : topic.partitions()) {
                    result.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                }
                refused.add(result);
                return true;
            });
            return GroupChecks.withRefused(refused.isEmpty() || !request.data().topics().isEmpty()
                            ? handler.handle(context, request) : null, new OffsetDeleteResponseData(),
                    response -> ((OffsetDeleteResponseData) response).topics().addAll(refused));
        });
    }

    private static CompletableFuture<? extends ApiMessage> offsetFetch(
            Authorization auth, Supplier<MetadataImage> image, RequestContext context, OffsetFetchRequest request,
            ApiHandler<OffsetFetchRequest> handler) {
        var data = request.data();
        boolean batched = data.groups() != null && !data.groups().isEmpty();
        if (!batched) {
            auth.requireGroup(context, AclOperation.DESCRIBE, data.groupId());
        }
        Map<String, Boolean> allTopicsByGroup = new HashMap<>();
        if (batched) {
            for (OffsetFetchRequestGroup group : data.groups()) {
                allTopicsByGroup.put(group.groupId(), group.topics() == null);
            }
        }
        boolean allTopics = data.topics() == null;
        return handler.handle(context, request).thenApply(message -> {
            OffsetFetchResponseData response = (OffsetFetchResponseData) message;
            MetadataImage current = image.get();
            if (!batched) {
                response.topics().removeIf(topic -> allTopics && !mayDescribe(auth, context, topic.name()));
                for (OffsetFetchResponseData.OffsetFetchResponseTopic topic : response.topics()) {
                    if (!mayDescribe(auth, context, topic.name())) {
                        for (OffsetFetchResponseData.OffsetFetchResponsePartition p : topic.partitions()) {
                            p.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setCommittedOffset(-1)
                                    .setCommittedLeaderEpoch(-1).setMetadata("");
                        }
                    }
                }
                return response;
            }
            for (OffsetFetchResponseData.OffsetFetchResponseGroup group : response.groups()) {
                if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId())) {
                    group.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
                    group.topics().clear();
                    continue;
                }
                boolean all = allTopicsByGroup.getOrDefault(group.groupId(), false);
                group.topics().removeIf(topic -> all
                        && !mayDescribe(auth, context, TopicChecks.name(current, topic.name(), topic.topicId())));
                for (OffsetFetchResponseData.OffsetFetchResponseTopics topic : group.topics()) {
                    if (!mayDescribe(auth, context, TopicChecks.name(current, topic.name(), topic.topicId()))) {
                        for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : topic.partitions()) {
                            p.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setCommittedOffset(-1)
                                    .setCommittedLeaderEpoch(-1).setMetadata("");
                        }
                    }
                }
            }
            return response;
        });
    }

    private static boolean mayDescribe(Authorization auth, RequestContext context, String topic) {
        return topic == null || auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
    }
}
