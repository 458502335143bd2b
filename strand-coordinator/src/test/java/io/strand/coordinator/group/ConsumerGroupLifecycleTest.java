package io.strand.coordinator.group;

import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerGroupState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consumer-protocol groups over their lifetime: static members, rebalance timeouts, topic changes,
 * the admin APIs, offsets and expiry. Manual clock, one shard.
 */
class ConsumerGroupLifecycleTest {

    final ConsumerGroupHeartbeatTest h = new ConsumerGroupHeartbeatTest();

    ConsumerGroupHeartbeatResponseData joinStatic(String memberId, String instanceId) {
        return h.send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId)
                .setInstanceId(instanceId).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("orders")).setTopicPartitions(List.of()));
    }

    ConsumerGroup group() {
        return h.shard.consumerGroup("g");
    }

    @Test
    void staticMemberRejoinsUnderANewIdWithItsPartitionsAndNoNewEpoch() {
        joinStatic("a1", "a");
        joinStatic("b1", "b");
        Map<String, Set<Integer>> kept = h.assignment(h.heartbeat("a1", 2, null));
        h.heartbeat("a1", 2, kept);
        Map<String, Set<Integer>> partitionsOfB = h.assignment(h.heartbeat("b1", 3, Map.of()));
        int groupEpoch = group().groupEpoch();

        ConsumerGroupHeartbeatResponseData left = h.send(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("b1").setInstanceId("b").setMemberEpoch(-2));
        assertThat(left.memberEpoch()).isEqualTo(-2);
        assertThat(joinStatic("b2", "a").errorCode()).isEqualTo(Errors.UNRELEASED_INSTANCE_ID.code());
        ConsumerGroupHeartbeatResponseData back = joinStatic("b2", "b");

        assertThat(back.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(h.assignment(back)).isEqualTo(partitionsOfB);
        assertThat(group().groupEpoch()).isEqualTo(groupEpoch);
        assertThat(group().member("b1")).isNull();
    }

    @Test
    void staticMemberThatDoesNotComeBackIsRemovedAfterItsSession() {
        joinStatic("a1", "a");
        h.send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a1").setInstanceId("a")
                .setMemberEpoch(-2));

        h.advance(45_000);

        assertThat(group().isEmpty()).isTrue();
        assertThat(group().state()).isEqualTo(ConsumerGroupState.EMPTY);
    }

    @Test
    void memberThatDoesNotRevokeInTimeIsFenced() {
        h.join("m1", "orders");
        h.join("m2", "orders");
        h.heartbeat("m1", 2, null); // told to revoke; never acknowledges

        for (int i = 0; i < 6; i++) {
            h.advance(5_000);
            h.heartbeat("m1", 2, null);
            h.heartbeat("m2", 3, Map.of());
        }

        assertThat(group().member("m1")).isNull();
        assertThat(group().member("m2").assigned()).isEqualTo(ConsumerGroupHeartbeatTest.parts("orders", 0, 1, 2,
                3, 4, 5));
        assertThat(h.heartbeat("m1", 2, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void addedPartitionsBumpTheGroupEpochAndAreAssigned() {
        h.join("m1", "payments");
        h.topics.put("payments", 4);

        ConsumerGroupHeartbeatResponseData after = h.heartbeat("m1", 2, null);

        assertThat(after.memberEpoch()).isEqualTo(3);
        assertThat(h.assignment(after)).isEqualTo(ConsumerGroupHeartbeatTest.parts("payments", 0, 1, 2, 3));
    }

    @Test
    void listDescribeAndDeleteSeeConsumerGroups() {
        h.join("m1", "orders");
        ListedGroup listed = h.shard.adminOps().list(Set.of(), Set.of("consumer")).get(0);
        assertThat(listed.groupType()).isEqualTo("consumer");
        assertThat(listed.groupState()).isEqualTo("Stable");
        assertThat(h.shard.adminOps().list(Set.of(), Set.of("classic"))).isEmpty();

        ConsumerGroupDescribeResponseData.DescribedGroup described = h.shard.adminOps().describeConsumerGroup("g",
                h.lookup);
        assertThat(described.groupEpoch()).isEqualTo(2);
        assertThat(described.assignorName()).isEqualTo("uniform");
        assertThat(described.members().get(0).assignment().topicPartitions().get(0).partitions()).hasSize(6);
        assertThat(h.shard.adminOps().describeConsumerGroup("nope", h.lookup).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        // DescribeGroups describes classic groups only, as Kafka: a consumer group is Dead there (v6: not found).
        assertThat(h.shard.adminOps().describe("g", (short) 5).groupState()).isEqualTo("Dead");
        assertThat(h.shard.adminOps().describe("g", (short) 6).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

        assertThat(h.<Errors>run(s -> s.adminOps().delete("g"))).isEqualTo(Errors.NON_EMPTY_GROUP);
        h.heartbeat("m1", -1, null);
        assertThat(h.<Errors>run(s -> s.adminOps().delete("g"))).isEqualTo(Errors.NONE);
        assertThat(group()).isNull();
    }

    @Test
    void offsetFetchChecksTheMemberEpochWhenGiven() {
        h.join("m1", "orders");

        assertThat(h.shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId("g").setMemberId("m1")
                .setMemberEpoch(2)).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(h.shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId("g").setMemberId("m1")
                .setMemberEpoch(1)).errorCode()).isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
        assertThat(h.shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId("g").setMemberId("x")
                .setMemberEpoch(2)).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(h.shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId("g")).errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    @Test
    void groupWithOnlyOffsetsBecomesAConsumerGroupAndBusyClassicGroupsRefuse() {
        h.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g", "", -1, "orders", 0, 5, "")));
        assertThat(h.shard.group("g")).isNotNull();

        assertThat(h.join("m1", "orders").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(h.shard.group("g")).isNull();
        assertThat(h.shard.offsets("g")).hasSize(1);

        ShardHarness classic = ShardHarness.withoutInitialDelay();
        String memberId = classic.newMemberId("c");
        classic.join("c", memberId).join();
        ConsumerGroupHeartbeatResponseData refused = classic.run(s -> s.consumerOp().heartbeat((short) 1, "c", "/h",
                new ConsumerGroupHeartbeatRequestData().setGroupId("c").setMemberId("m").setMemberEpoch(0)
                        .setRebalanceTimeoutMs(1).setSubscribedTopicNames(List.of("t")).setTopicPartitions(List.of()),
                h.lookup, TopicAccess.ALL));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void emptyGroupsOffsetsExpireAndThenTheGroupGoes() {
        h.join("m1", "orders");
        h.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g", "m1", 2, "orders", 0, 5, "")));
        h.heartbeat("m1", -1, null);

        h.time.sleep(h.shard.config().offsetsRetentionMs() - 1);
        h.run(s -> s.offsetOps().expire());
        assertThat(h.shard.offsets("g")).hasSize(1);

        h.time.sleep(1);
        h.run(s -> s.offsetOps().expire());
        assertThat(h.shard.offsets("g")).isEmpty();
        assertThat(group()).isNull();
    }

    @Test
    void offsetDeleteOfAConsumerGroupRefusesOnlyItsSubscribedTopics() {
        h.join("m1", "orders");
        var topics = new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        for (String topic : List.of("orders", "audit")) {
            topics.add(new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic()
                    .setName(topic).setPartitions(new java.util.ArrayList<>(List.of(
                            new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                                    .setPartitionIndex(0)))));
        }

        org.apache.kafka.common.message.OffsetDeleteResponseData response = h.run(s -> s.offsetOps().delete(
                new org.apache.kafka.common.message.OffsetDeleteRequestData().setGroupId("g").setTopics(topics)));

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.topics().find("orders").partitions().find(0).errorCode())
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
        assertThat(response.topics().find("audit").partitions().find(0).errorCode()).isEqualTo(Errors.NONE.code());
    }
}
