package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.broker.network.RequestContext;
import io.strand.broker.share.ShareMemberIds;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Authorization of the share group APIs (KIP-932), as Kafka checks them: ShareGroupHeartbeat needs READ on
 * the group and DESCRIBE on every subscribed topic; ShareGroupDescribe DESCRIBE on each group (the others
 * answer GROUP_AUTHORIZATION_FAILED; the caller's authorized operations, asked for, on each group answered
 * without error); ShareFetch and ShareAcknowledge READ on the group and READ on every
 * topic they name. In Kafka's order: ShareFetch and ShareAcknowledge with a null group id reach the handler
 * (INVALID_REQUEST) unchecked, and a member id the handlers refuse ({@link ShareMemberIds}) is refused after
 * the group's check and before the topics'.
 *
 * <p>Stricter than Kafka for now: a ShareFetch or ShareAcknowledge naming one topic the caller may not READ
 * is refused as a whole (TOPIC_AUTHORIZATION_FAILED) where Kafka answers that error for those partitions
 * only.
 */
final class ShareChecks {

    private ShareChecks() {
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image) {
        checks.put(ApiKeys.SHARE_GROUP_HEARTBEAT, (Check<ShareGroupHeartbeatRequest>) (context, request, handler) -> {
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            List<String> subscribed = request.data().subscribedTopicNames();
            if (subscribed != null && ShareMemberIds.isValid(request.data().memberId())) {
                requireTopics(auth, context, AclOperation.DESCRIBE, subscribed);
            }
            return handler.handle(context, request);
        });
        checks.put(ApiKeys.SHARE_GROUP_DESCRIBE, (Check<ShareGroupDescribeRequest>) (context, request, handler) -> {
            List<DescribedGroup> refused = new ArrayList<>();
            request.data().groupIds().removeIf(group -> {
                if (auth.authorize(context, AclOperation.DESCRIBE, ResourceType.GROUP, group)) {
                    return false;
                }
                refused.add(new DescribedGroup().setGroupId(group)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()));
                return true;
            });
            return GroupChecks.withRefused(refused.isEmpty() || !request.data().groupIds().isEmpty()
                            ? GroupChecks.withShareGroupOperations(auth, context, request, handler.handle(context, request))
                            : null, new ShareGroupDescribeResponseData(),
                    response -> ((ShareGroupDescribeResponseData) response).groups().addAll(refused));
        });
        checks.put(ApiKeys.SHARE_FETCH, (Check<ShareFetchRequest>) (context, request, handler) -> {
            if (request.data().groupId() == null) {
                return handler.handle(context, request); // refused (INVALID_REQUEST) before any authorization
            }
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            if (!ShareMemberIds.isValid(request.data().memberId())) {
                return handler.handle(context, request); // refused (INVALID_REQUEST) before the topics
            }
            List<Uuid> ids = new ArrayList<>();
            request.data().topics().forEach(t -> ids.add(t.topicId()));
            requireTopics(auth, context, AclOperation.READ, names(image.get(), ids));
            return handler.handle(context, request);
        });
        checks.put(ApiKeys.SHARE_ACKNOWLEDGE, (Check<ShareAcknowledgeRequest>) (context, request, handler) -> {
            if (request.data().groupId() == null) {
                return handler.handle(context, request); // refused (INVALID_REQUEST) before any authorization
            }
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            if (!ShareMemberIds.isValid(request.data().memberId())) {
                return handler.handle(context, request); // refused (INVALID_REQUEST) before the topics
            }
            List<Uuid> ids = new ArrayList<>();
            request.data().topics().forEach(t -> ids.add(t.topicId()));
            requireTopics(auth, context, AclOperation.READ, names(image.get(), ids));
            return handler.handle(context, request);
        });
    }

    /** The names of the topics that exist; unknown ids are left to the handler (UNKNOWN_TOPIC_ID). */
    private static List<String> names(MetadataImage image, Collection<Uuid> ids) {
        List<String> names = new ArrayList<>();
        for (Uuid id : ids) {
            image.topics().byId(id).map(TopicImage::name).ifPresent(names::add);
        }
        return names;
    }

    private static void requireTopics(Authorization auth, RequestContext context, AclOperation operation,
                                      Collection<String> topics) {
        Set<String> refused = new TreeSet<>();
        for (String topic : topics) {
            if (!auth.authorize(context, operation, ResourceType.TOPIC, topic)) {
                refused.add(topic);
            }
        }
        if (!refused.isEmpty()) {
            throw new TopicAuthorizationException("The following topics are not authorized: " + refused, refused);
        }
    }
}
