package io.strand.coordinator.group;

import io.strand.coordinator.group.share.ShareMember;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;

/**
 * The checks of a ShareGroupHeartbeat that need no group: made before the request is routed to the group's
 * shard, so a malformed request is INVALID_REQUEST whether or not this broker coordinates the group, as
 * Kafka's {@code GroupCoordinatorService} answers it. In Kafka's order, each with its own message:
 * <ol>
 *   <li>member id, group id and rack id: blank refused (null is fine here; the broker refuses a missing or
 *       overlong member id before this);</li>
 *   <li>a join ({@value ShareMember#JOIN_EPOCH}) names at least one subscribed topic; an epoch below
 *       {@value ShareMember#LEAVE_EPOCH} is invalid.</li>
 * </ol>
 * Blank means empty after trimming, as Kafka checks. Stateless.
 */
final class ShareHeartbeatValidation {

    private ShareHeartbeatValidation() {
    }

    /** @throws InvalidRequestException for a malformed request */
    static void validate(ShareGroupHeartbeatRequestData request) {
        requireNotBlank(request.memberId(), "MemberId can't be empty.");
        requireNotBlank(request.groupId(), "GroupId can't be empty.");
        requireNotBlank(request.rackId(), "RackId can't be empty.");
        int epoch = request.memberEpoch();
        if (epoch == ShareMember.JOIN_EPOCH) {
            if (request.subscribedTopicNames() == null || request.subscribedTopicNames().isEmpty()) {
                throw new InvalidRequestException("SubscribedTopicNames must be set in first request.");
            }
        } else if (epoch < ShareMember.LEAVE_EPOCH) {
            throw new InvalidRequestException("MemberEpoch is invalid.");
        }
    }

    private static void requireNotBlank(String value, String message) {
        if (value != null && value.trim().isEmpty()) {
            throw new InvalidRequestException(message);
        }
    }
}
