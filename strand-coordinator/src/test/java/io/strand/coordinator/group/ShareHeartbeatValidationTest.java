package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.junit.jupiter.api.Test;

/** The checks of a ShareGroupHeartbeat made before it is routed, in Kafka's order and with its messages. */
class ShareHeartbeatValidationTest {

    static ShareGroupHeartbeatRequestData join() {
        return new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId("m").setMemberEpoch(0)
                .setSubscribedTopicNames(List.of("t"));
    }

    @Test
    void aWellFormedJoinHeartbeatAndLeavePass() {
        assertThatCode(() -> ShareHeartbeatValidation.validate(join())).doesNotThrowAnyException();
        assertThatCode(() -> ShareHeartbeatValidation.validate(join().setMemberEpoch(3).setSubscribedTopicNames(null)))
                .doesNotThrowAnyException();
        assertThatCode(() -> ShareHeartbeatValidation.validate(join().setMemberEpoch(-1).setSubscribedTopicNames(null)))
                .doesNotThrowAnyException();
    }

    @Test
    void blankIdsAreRefusedMemberIdFirst() {
        assertThatThrownBy(() -> ShareHeartbeatValidation.validate(join().setMemberId(" ").setGroupId("")))
                .isInstanceOf(InvalidRequestException.class).hasMessage("MemberId can't be empty.");
        assertThatThrownBy(() -> ShareHeartbeatValidation.validate(join().setGroupId("  ").setRackId("")))
                .isInstanceOf(InvalidRequestException.class).hasMessage("GroupId can't be empty.");
        assertThatThrownBy(() -> ShareHeartbeatValidation.validate(join().setRackId("")))
                .isInstanceOf(InvalidRequestException.class).hasMessage("RackId can't be empty.");
    }

    @Test
    void aJoinNeedsTopicsAndEpochsBelowLeaveAreInvalid() {
        assertThatThrownBy(() -> ShareHeartbeatValidation.validate(join().setSubscribedTopicNames(List.of())))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("SubscribedTopicNames must be set in first request.");
        assertThatThrownBy(() -> ShareHeartbeatValidation.validate(join().setSubscribedTopicNames(null)))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ShareHeartbeatValidation.validate(join().setMemberEpoch(-2)))
                .isInstanceOf(InvalidRequestException.class).hasMessage("MemberEpoch is invalid.");
    }
}
