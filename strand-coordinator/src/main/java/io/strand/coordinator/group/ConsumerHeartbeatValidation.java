package io.strand.coordinator.group;

import io.strand.coordinator.group.consumer.ConsumerMember;
import java.util.List;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedAssignorException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;

/**
 * The checks of a ConsumerGroupHeartbeat that need no group: made before the request is routed to the
 * group's shard, so a malformed request (an empty group id among them) is INVALID_REQUEST whether or not
 * this broker coordinates the group, as Kafka's {@code GroupCoordinatorService} answers it. In Kafka's
 * order, each with its own message:
 * <ol>
 *   <li>the member id, blank refused from v1 on (the client draws it), and in v0 when the epoch is
 *       positive or {@value ConsumerMember#LEAVE_EPOCH};</li>
 *   <li>group id, instance id and rack id: blank refused (null is fine);</li>
 *   <li>a join (epoch {@value ConsumerMember#JOIN_EPOCH}): a rebalance timeout other than -1, an empty
 *       (non-null) owned-partitions list, subscribed topic names or a regex;</li>
 *   <li>a static leave ({@value ConsumerMember#STATIC_LEAVE_EPOCH}) names its instance id; an epoch below
 *       it is invalid;</li>
 *   <li>a server assignor, if named, is one this coordinator has (UNSUPPORTED_ASSIGNOR).</li>
 * </ol>
 * Blank means empty after trimming, as Kafka checks. Stateless.
 */
final class ConsumerHeartbeatValidation {

    private static final int FIRST_CLIENT_MEMBER_ID_VERSION = 1;

    private ConsumerHeartbeatValidation() {
    }

    /**
     * @throws InvalidRequestException      for a malformed request
     * @throws UnsupportedAssignorException for a server assignor not in {@code assignors}
     */
    static void validate(short version, ConsumerGroupHeartbeatRequestData request, List<String> assignors) {
        int epoch = request.memberEpoch();
        if (version >= FIRST_CLIENT_MEMBER_ID_VERSION || epoch > 0 || epoch == ConsumerMember.LEAVE_EPOCH) {
            requireNotBlank(request.memberId(), "MemberId can't be empty.");
        }
        requireNotBlank(request.groupId(), "GroupId can't be empty.");
        requireNotBlank(request.instanceId(), "InstanceId can't be empty.");
        requireNotBlank(request.rackId(), "RackId can't be empty.");
        if (epoch == ConsumerMember.JOIN_EPOCH) {
            if (request.rebalanceTimeoutMs() == -1) {
                throw new InvalidRequestException("RebalanceTimeoutMs must be provided in first request.");
            }
            if (request.topicPartitions() == null || !request.topicPartitions().isEmpty()) {
                throw new InvalidRequestException("TopicPartitions must be empty when (re-)joining.");
            }
            if (request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null) {
                throw new InvalidRequestException(
                        "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
            }
        } else if (epoch == ConsumerMember.STATIC_LEAVE_EPOCH) {
            if (request.instanceId() == null) {
                throw new InvalidRequestException("InstanceId can't be null.");
            }
        } else if (epoch < ConsumerMember.STATIC_LEAVE_EPOCH) {
            throw new InvalidRequestException("MemberEpoch is invalid.");
        }
        String assignor = request.serverAssignor();
        if (assignor != null && !assignors.contains(assignor)) {
            throw new UnsupportedAssignorException("ServerAssignor " + assignor + " is not supported. Supported "
                    + "assignors: " + String.join(", ", assignors) + ".");
        }
    }

    private static void requireNotBlank(String value, String message) {
        if (value != null && value.trim().isEmpty()) {
            throw new InvalidRequestException(message);
        }
    }
}
