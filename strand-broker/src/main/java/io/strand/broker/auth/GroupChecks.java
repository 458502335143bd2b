package io.strand.broker.auth;

import io.strand.broker.auth.AuthorizingHandlers.Check;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The group checks, as Kafka's KafkaApis makes them:
 * <ul>
 *   <li>FindCoordinator: DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED) or transactional id
 *       (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), per key from v4.</li>
 *   <li>JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ConsumerGroupHeartbeat: READ on the group, else
 *       the whole request fails with GROUP_AUTHORIZATION_FAILED; ConsumerGroupHeartbeat also needs
 *       DESCRIBE on every subscribed topic name, else TOPIC_AUTHORIZATION_FAILED. A SyncGroup v5+
 *       without protocol type or name is refused by its handler before the group is checked.</li>
 *   <li>OffsetCommit, OffsetFetch, OffsetDelete: see {@link GroupOffsetChecks}.</li>
 *   <li>DescribeGroups, ConsumerGroupDescribe (and ShareGroupDescribe, whose checks are {@link ShareChecks}'):
 *       DESCRIBE per group, else GROUP_AUTHORIZATION_FAILED;
 *       authorized operations are the caller's (all of a group's without an authorizer), reported only
 *       for a group answered without error, as Kafka does (so not for an unknown group). A consumer
 *       group whose members subscribe to or are assigned a topic the caller may not DESCRIBE is
 *       answered TOPIC_AUTHORIZATION_FAILED, without members.</li>
 *   <li>ListGroups: all groups with DESCRIBE on the cluster, else only those it may DESCRIBE.</li>
 *   <li>DeleteGroups: DELETE per group.</li>
 * </ul>
 */
final class GroupChecks {

    private GroupChecks() {
    }

    /** Only the authorized-operations fields: what a broker without an authorizer still answers. */
    static void addOperationsTo(Map<ApiKeys, Check<?>> checks, Authorization auth) {
        checks.put(ApiKeys.DESCRIBE_GROUPS, (Check<DescribeGroupsRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    DescribeGroupsResponseData response = (DescribeGroupsResponseData) message;
                    List<DescribeGroupsResponseData.DescribedGroup> groups = response.groups();
                    for (int i = 0; i < groups.size(); i++) {
                        DescribeGroupsResponseData.DescribedGroup group = groups.get(i);
                        if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId())) {
                            groups.set(i, DescribeGroupsResponse.groupError(group.groupId(),
                                    Errors.GROUP_AUTHORIZATION_FAILED));
                        } else if (request.data().includeAuthorizedOperations()
                                && group.errorCode() == Errors.NONE.code()) {
                            group.setAuthorizedOperations(
                                    auth.authorizedOperations(context, ResourceType.GROUP, group.groupId()));
                        }
                    }
                    return response;
                }));
        checks.put(ApiKeys.CONSUMER_GROUP_DESCRIBE, (Check<ConsumerGroupDescribeRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    ConsumerGroupDescribeResponseData response = (ConsumerGroupDescribeResponseData) message;
                    List<ConsumerGroupDescribeResponseData.DescribedGroup> groups = response.groups();
                    for (int i = 0; i < groups.size(); i++) {
                        ConsumerGroupDescribeResponseData.DescribedGroup group = groups.get(i);
                        if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId())) {
                            groups.set(i, new ConsumerGroupDescribeResponseData.DescribedGroup()
                                    .setGroupId(group.groupId())
                                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                                    .setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message()));
                        } else if (!mayDescribeAssignedTopics(auth, context, group)) {
                            groups.set(i, new ConsumerGroupDescribeResponseData.DescribedGroup()
                                    .setGroupId(group.groupId())
                                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                                    .setErrorMessage("The group has described topic(s) that the client is not"
                                            + " authorized to describe."));
                        } else if (request.data().includeAuthorizedOperations()
                                && group.errorCode() == Errors.NONE.code()) {
                            group.setAuthorizedOperations(
                                    auth.authorizedOperations(context, ResourceType.GROUP, group.groupId()));
                        }
                    }
                    return response;
                }));
        checks.put(ApiKeys.SHARE_GROUP_DESCRIBE, (Check<ShareGroupDescribeRequest>) (context, request, handler) ->
                withShareGroupOperations(auth, context, request, handler.handle(context, request)));
    }

    /**
     * ShareGroupDescribe's authorized operations, asked for: those of the caller on each group answered
     * without error, as Kafka fills them after the coordinator answered.
     */
    static CompletableFuture<ApiMessage> withShareGroupOperations(Authorization auth, RequestContext context,
                                                                  ShareGroupDescribeRequest request,
                                                                  CompletableFuture<? extends ApiMessage> answer) {
        return answer.thenApply(message -> {
            if (request.data().includeAuthorizedOperations()) {
                for (ShareGroupDescribeResponseData.DescribedGroup group
                        : ((ShareGroupDescribeResponseData) message).groups()) {
                    if (group.errorCode() == Errors.NONE.code()) {
                        group.setAuthorizedOperations(
                                auth.authorizedOperations(context, ResourceType.GROUP, group.groupId()));
                    }
                }
            }
            return message;
        });
    }

    static void addTo(Map<ApiKeys, Check<?>> checks, Authorization auth, Supplier<MetadataImage> image) {
        addOperationsTo(checks, auth);
        GroupOffsetChecks.addTo(checks, auth, image);
        checks.put(ApiKeys.FIND_COORDINATOR, (Check<FindCoordinatorRequest>) (context, request, handler) ->
                findCoordinator(auth, context, request, handler));
        checks.put(ApiKeys.JOIN_GROUP, readGroup(auth, r -> ((JoinGroupRequest) r).data().groupId()));
        checks.put(ApiKeys.SYNC_GROUP, (Check<SyncGroupRequest>) (context, request, handler) -> {
            // As Kafka: v5's missing protocol type or name is answered (INCONSISTENT_GROUP_PROTOCOL, by the
            // handler) before the group is looked at.
            if (request.areMandatoryProtocolTypeAndNamePresent()) {
                auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            }
            return handler.handle(context, request);
        });
        checks.put(ApiKeys.HEARTBEAT, readGroup(auth, r -> ((HeartbeatRequest) r).data().groupId()));
        checks.put(ApiKeys.LEAVE_GROUP, readGroup(auth, r -> ((LeaveGroupRequest) r).data().groupId()));
        checks.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT, (Check<ConsumerGroupHeartbeatRequest>) (context, request, handler) -> {
            auth.requireGroup(context, AclOperation.READ, request.data().groupId());
            List<String> subscribed = request.data().subscribedTopicNames();
            if (subscribed != null) {
                Set<String> refused = new TreeSet<>();
                for (String topic : subscribed) {
                    if (!auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)) {
                        refused.add(topic);
                    }
                }
                if (!refused.isEmpty()) {
                    throw new TopicAuthorizationException("The following topics are not authorized: " + refused,
                            refused);
                }
            }
            return handler.handle(context, request);
        });
        checks.put(ApiKeys.LIST_GROUPS, (Check<ListGroupsRequest>) (context, request, handler) ->
                handler.handle(context, request).thenApply(message -> {
                    if (!auth.authorizeClusterFilter(context, AclOperation.DESCRIBE)) {
                        ((ListGroupsResponseData) message).groups().removeIf(group ->
                                !auth.authorizeFilter(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId()));
                    }
                    return message;
                }));
        checks.put(ApiKeys.DELETE_GROUPS, (Check<DeleteGroupsRequest>) (context, request, handler) -> {
            List<DeletableGroupResult> refused = new ArrayList<>();
            request.data().groupsNames().removeIf(group -> {
                if (auth.authorize(context, AclOperation.DELETE, ResourceType.GROUP, group)) {
                    return false;
                }
                refused.add(new DeletableGroupResult().setGroupId(group)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
                return true;
            });
            return withRefused(refused.isEmpty() || !request.data().groupsNames().isEmpty()
                            ? handler.handle(context, request) : null, new DeleteGroupsResponseData(),
                    response -> ((DeleteGroupsResponseData) response).results().addAll(refused));
        });
    }

    private static Check<AbstractRequest> readGroup(Authorization auth,
                                                    java.util.function.Function<AbstractRequest, String> groupId) {
        return (context, request, handler) -> {
            auth.requireGroup(context, AclOperation.READ, groupId.apply(request));
            return handler.handle(context, request);
        };
    }

    private static CompletableFuture<? extends ApiMessage> findCoordinator(
            Authorization auth, RequestContext context, FindCoordinatorRequest request,
            ApiHandler<FindCoordinatorRequest> handler) {
        byte keyType = request.data().keyType();
        if (request.version() < FindCoordinatorRequest.MIN_BATCHED_VERSION) {
            Errors error = coordinatorKeyError(auth, context, keyType, request.data().key());
            if (error != Errors.NONE) {
                throw error.exception();
            }
            return handler.handle(context, request);
        }
        List<FindCoordinatorResponseData.Coordinator> refused = new ArrayList<>();
        request.data().coordinatorKeys().removeIf(key -> {
            Errors error = coordinatorKeyError(auth, context, keyType, key);
            if (error == Errors.NONE) {
                return false;
            }
            refused.add(new FindCoordinatorResponseData.Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1)
                    .setErrorCode(error.code()).setErrorMessage(error.message()));
            return true;
        });
        return withRefused(refused.isEmpty() || !request.data().coordinatorKeys().isEmpty()
                        ? handler.handle(context, request) : null, new FindCoordinatorResponseData(),
                response -> ((FindCoordinatorResponseData) response).coordinators().addAll(refused));
    }

    /**
     * Key types: 0 group, 1 transaction, 2 share (a share-partition's state, asked for by brokers: CLUSTER_ACTION
     * on the cluster, as Kafka).
     */
    private static Errors coordinatorKeyError(Authorization auth, RequestContext context, byte keyType, String key) {
        if (keyType == 1) {
            return auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                    ? Errors.NONE : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        if (keyType == 2) {
            return auth.authorizeCluster(context, AclOperation.CLUSTER_ACTION)
                    ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
        }
        return auth.authorize(context, AclOperation.DESCRIBE, ResourceType.GROUP, key)
                ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
    }

    /** Whether the caller may DESCRIBE every topic of the group's members' subscriptions and assignments. */
    private static boolean mayDescribeAssignedTopics(Authorization auth, RequestContext context,
                                                     ConsumerGroupDescribeResponseData.DescribedGroup group) {
        if (!auth.enabled()) {
            return true;
        }
        for (ConsumerGroupDescribeResponseData.Member member : group.members()) {
            for (ConsumerGroupDescribeResponseData.Assignment assignment
                    : List.of(member.assignment(), member.targetAssignment())) {
                for (ConsumerGroupDescribeResponseData.TopicPartitions topic : assignment.topicPartitions()) {
                    if (!mayDescribe(auth, context, topic.topicName())) {
                        return false;
                    }
                }
            }
            if (member.subscribedTopicNames() != null) {
                for (String topic : member.subscribedTopicNames()) {
                    if (!mayDescribe(auth, context, topic)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean mayDescribe(Authorization auth, RequestContext context, String topic) {
        return topic == null || auth.authorize(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
    }

    static CompletableFuture<? extends ApiMessage> withRefused(CompletableFuture<? extends ApiMessage> handled,
                                                              ApiMessage empty,
                                                              java.util.function.Consumer<ApiMessage> addRefused) {
        CompletableFuture<? extends ApiMessage> answer = handled != null ? handled
                : CompletableFuture.completedFuture(empty);
        return answer.thenApply(response -> {
            addRefused.accept(response);
            return response;
        });
    }
}
