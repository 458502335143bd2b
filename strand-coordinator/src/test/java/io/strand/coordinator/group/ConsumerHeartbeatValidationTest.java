package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedAssignorException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.junit.jupiter.api.Test;

class ConsumerHeartbeatValidationTest {

    private static final List<String> ASSIGNORS = List.of("uniform", "range");

    private static ConsumerGroupHeartbeatRequestData join() {
        return new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m").setMemberEpoch(0)
                .setRebalanceTimeoutMs(1000).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of());
    }

    private static void assertInvalid(short version, ConsumerGroupHeartbeatRequestData request, String message) {
        assertThatThrownBy(() -> ConsumerHeartbeatValidation.validate(version, request, ASSIGNORS))
                .isInstanceOf(InvalidRequestException.class).hasMessage(message);
    }

    @Test
    void aWellFormedJoinPasses() {
        assertThatCode(() -> ConsumerHeartbeatValidation.validate((short) 1, join(), ASSIGNORS))
                .doesNotThrowAnyException();
    }

    @Test
    void theMemberIdIsCheckedBeforeTheGroupId() {
        assertInvalid((short) 1, join().setGroupId("").setMemberId(""), "MemberId can't be empty.");
        assertInvalid((short) 1, join().setGroupId(" "), "GroupId can't be empty.");
    }

    @Test
    void aV0MemberMayJoinWithoutAMemberIdButNotHeartbeat() {
        assertThatCode(() -> ConsumerHeartbeatValidation.validate((short) 0, join().setMemberId(""), ASSIGNORS))
                .doesNotThrowAnyException();
        assertInvalid((short) 0, join().setMemberId("").setMemberEpoch(3), "MemberId can't be empty.");
        assertInvalid((short) 0, join().setMemberId("").setMemberEpoch(-1), "MemberId can't be empty.");
    }

    @Test
    void blankIdsAreRefusedButNullOnesAreNot() {
        assertInvalid((short) 1, join().setInstanceId("  "), "InstanceId can't be empty.");
        assertInvalid((short) 1, join().setRackId(""), "RackId can't be empty.");
        assertThatCode(() -> ConsumerHeartbeatValidation.validate((short) 1, join().setInstanceId(null)
                .setRackId(null), ASSIGNORS)).doesNotThrowAnyException();
    }

    @Test
    void aJoinNeedsARebalanceTimeoutNoOwnedPartitionsAndASubscription() {
        assertInvalid((short) 1, join().setRebalanceTimeoutMs(-1), "RebalanceTimeoutMs must be provided in first request.");
        assertThatCode(() -> ConsumerHeartbeatValidation.validate((short) 1, join().setRebalanceTimeoutMs(-5), ASSIGNORS))
                .as("only -1 means missing, as Kafka checks").doesNotThrowAnyException();
        assertInvalid((short) 1, join().setTopicPartitions(null), "TopicPartitions must be empty when (re-)joining.");
        assertInvalid((short) 1, join().setSubscribedTopicNames(null),
                "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
    }

    @Test
    void epochsBelowTheStaticLeaveAreInvalidAndAStaticLeaveNamesItsInstance() {
        assertInvalid((short) 1, join().setMemberEpoch(-2), "InstanceId can't be null.");
        assertInvalid((short) 1, join().setMemberEpoch(-3), "MemberEpoch is invalid.");
    }

    @Test
    void anUnknownServerAssignorIsUnsupported() {
        assertThatThrownBy(() -> ConsumerHeartbeatValidation.validate((short) 1, join().setServerAssignor("sticky"),
                ASSIGNORS)).isInstanceOf(UnsupportedAssignorException.class);
    }
}
