package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Authorization of the share group offsets APIs (KIP-932), as Kafka's KafkaApis checks them:
 * <ul>
 *   <li>DescribeShareGroupOffsets: DESCRIBE on each group (else that group answers
 *       GROUP_AUTHORIZATION_FAILED); of the topics named, those the caller may not DESCRIBE answer
 *       TOPIC_AUTHORIZATION_FAILED per partition; without topics, the topics it may not DESCRIBE are left
 *       out of the answer.</li>
 *   <li>AlterShareGroupOffsets: READ on the group (else the whole request fails with
 *       GROUP_AUTHORIZATION_FAILED); the topics the caller may not READ answer TOPIC_AUTHORIZATION_FAILED
 *       per partition.</li>
 *   <li>DeleteShareGroupOffsets: DELETE on the group (else GROUP_AUTHORIZATION_FAILED); the topics the
 *       caller may not READ answer TOPIC_AUTHORIZATION_FAILED.</li>
 * </ul>
 * Refused entries are added only to an answer without a top-level error, as Kafka answers a top-level error
 * alone.
 */
final class ShareAdminChecks {

    private ShareAdminChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image) {
        checks.put(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
                (Check<DescribeShareGroupOffsetsRequest>) (context, request, handler) ->
                        describe(auth, context, request, handler));
        checks.put(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, (Check<AlterShareGroupOffsetsRequest>) (context, request, handler) -> {
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            List<AlterShareGroupOffsetsResponseTopic> refused = new ArrayList<>();
            request.data().topics().removeIf(topic -> {
                if (auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, topic.topicName())) {
                    return false;
                }
                refused.add(refusedAlter(image.get(), topic));
                return true;
            });
            return handler.handle(context, request).thenApply(message -> {
                AlterShareGroupOffsetsResponseData response = (AlterShareGroupOffsetsResponseData) message;
                if (response.errorCode() == Errors.NONE.code()) {
                    refused.forEach(topic -> response.responses().add(topic));
                }
                return response;
            });
        });
        checks.put(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, (Check<DeleteShareGroupOffsetsRequest>) (context, request, handler) -> {
            auth.requireGroup(context, AclOperation.DELETE, request.data().groupId());
            List<DeleteShareGroupOffsetsResponseTopic> refused = new ArrayList<>();
            List<DeleteShareGroupOffsetsRequestTopic> allowed = new ArrayList<>();
            for (DeleteShareGroupOffsetsRequestTopic topic : request.data().topics()) {
                if (auth.authorize(context, AclOperation.READ, ResourceType.TOPIC, topic.topicName())) {
                    allowed.add(topic);
                } else {
                    refused.add(new DeleteShareGroupOffsetsResponseTopic().setTopicName(topic.topicName())
                            .setTopicId(Uuid.ZERO_UUID)
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message()));
                }
            }
            request.data().setTopics(allowed);
            return handler.handle(context, request).thenApply(message -> {
                DeleteShareGroupOffsetsResponseData response = (DeleteShareGroupOffsetsResponseData) message;
                if (response.errorCode() == Errors.NONE.code()) {
                    response.responses().addAll(refused);
                }
                return response;
            });
        });
    }

    private static java.util.concurrent.CompletableFuture<DescribeShareGroupOffsetsResponseData> describe(
            Authorization auth, RequestContext context, DescribeShareGroupOffsetsRequest request,
            io.strand.broker.network.ApiHandler<DescribeShareGroupOffsetsRequest> handler) {
        List<DescribeShareGroupOffsetsResponseGroup> refusedGroups = new ArrayList<>();
        Map<String, List<DescribeShareGroupOffsetsResponseTopic>> refusedTopics = new HashMap<>();
        List<DescribeShareGroupOffsetsRequestGroup> allowed = new ArrayList<>();
        for (DescribeShareGroupOffsetsRequestGroup group : request.data().groups()) {
            if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId())) {
                refusedGroups.add(new DescribeShareGroupOffsetsResponseGroup().setGroupId(group.groupId())
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()));
                continue;
            }
            if (group.topics() != null) {
                List<DescribeShareGroupOffsetsRequestTopic> topics = new ArrayList<>();
                for (DescribeShareGroupOffsetsRequestTopic topic : group.topics()) {
                    if (auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.topicName())) {
                        topics.add(topic);
                    } else {
                        refusedTopics.computeIfAbsent(group.groupId(), g -> new ArrayList<>())
                                .add(refusedDescribe(topic));
                    }
                }
                group.setTopics(topics);
            }
            allowed.add(group);
        }
        request.data().setGroups(allowed);
        java.util.concurrent.CompletableFuture<DescribeShareGroupOffsetsResponseData> handled =
                request.data().groups().isEmpty()
                        ? java.util.concurrent.CompletableFuture.completedFuture(new DescribeShareGroupOffsetsResponseData())
                        : handler.handle(context, request).thenApply(DescribeShareGroupOffsetsResponseData.class::cast);
        return handled.thenApply(response -> {
            for (DescribeShareGroupOffsetsResponseGroup group : response.groups()) {
                if (group.errorCode() != Errors.NONE.code()) {
                    continue;
                }
                group.topics().removeIf(topic -> !auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC,
                        topic.topicName()));
                group.topics().addAll(refusedTopics.getOrDefault(group.groupId(), List.of()));
            }
            response.groups().addAll(refusedGroups);
            return response;
        });
    }

    private static DescribeShareGroupOffsetsResponseTopic refusedDescribe(DescribeShareGroupOffsetsRequestTopic topic) {
        DescribeShareGroupOffsetsResponseTopic out = new DescribeShareGroupOffsetsResponseTopic()
                .setTopicName(topic.topicName()).setTopicId(Uuid.ZERO_UUID);
        for (int partition : topic.partitions()) {
            out.partitions().add(new DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(partition)
                    .setStartOffset(-1).setLag(-1)
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message()));
        }
        return out;
    }

    private static AlterShareGroupOffsetsResponseTopic refusedAlter(MetadataImage image,
                                                                   AlterShareGroupOffsetsRequestTopic topic) {
        AlterShareGroupOffsetsResponseTopic out = new AlterShareGroupOffsetsResponseTopic()
                .setTopicName(topic.topicName())
                .setTopicId(image.topics().byName(topic.topicName()).map(TopicImage::id).orElse(Uuid.ZERO_UUID));
        topic.partitions().forEach(p -> out.partitions().add(new AlterShareGroupOffsetsResponsePartition()
                .setPartitionIndex(p.partitionIndex())
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message())));
        return out;
    }
}
