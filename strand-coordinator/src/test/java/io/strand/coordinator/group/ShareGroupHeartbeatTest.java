package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import io.strand.coordinator.group.share.ShareGroupState;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.ShareGroupRecords;
import io.strand.coordinator.runtime.CoordinatorResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Share groups (KIP-932) on one shard, driven by hand with a manual clock. */
class ShareGroupHeartbeatTest {

    final ManualTime time = new ManualTime();
    final Map<String, Integer> topics = new HashMap<>(Map.of("jobs", 3, "other", 1));
    final Map<String, Uuid> ids = new HashMap<>();
    final TopicIdLookup lookup = new TopicIdLookup() {
        @Override
        public String nameOf(Uuid topicId) {
            return ids.entrySet().stream().filter(e -> e.getValue().equals(topicId)).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
        }

        @Override
        public Uuid idOf(String topicName) {
            return topics.containsKey(topicName)
                    ? ids.computeIfAbsent(topicName, n -> new Uuid(n.hashCode(), 11)) : Uuid.ZERO_UUID;
        }
    };
    /** Group g's configs (the GROUP config resource). */
    final Map<String, String> groupConfigs = new HashMap<>();
    ShardHarness h = new ShardHarness(GroupCoordinatorConfig.defaults(), new InMemoryOffsetsTopicLog(), time,
            new Random(1), () -> Map.copyOf(topics), groupId -> groupId.equals("g") ? Map.copyOf(groupConfigs) : Map.of());

    /** A coordinator failover: a new shard loaded from the same log, the old one dropped. */
    void failover() {
        h = new ShardHarness(GroupCoordinatorConfig.defaults(), h.log, time, new Random(2), () -> Map.copyOf(topics),
                groupId -> groupId.equals("g") ? Map.copyOf(groupConfigs) : Map.of());
    }

    ShareGroupHeartbeatResponseData send(String memberId, int epoch, List<String> subscribed) {
        return h.run(s -> s.shareOp().heartbeat("client", "/127.0.0.1", new ShareGroupHeartbeatRequestData()
                .setGroupId("g").setMemberId(memberId).setMemberEpoch(epoch).setSubscribedTopicNames(subscribed),
                lookup));
    }

    Map<String, Set<Integer>> assignment(ShareGroupHeartbeatResponseData response) {
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.assignment()).as("assignment sent").isNotNull();
        Map<String, Set<Integer>> out = new TreeMap<>();
        response.assignment().topicPartitions().forEach(tp ->
                out.put(lookup.nameOf(tp.topicId()), new TreeSet<>(tp.partitions())));
        return out;
    }

    ShareGroupDescribeResponseData.DescribedGroup describe() {
        return h.run(s -> io.strand.coordinator.runtime.CoordinatorResult.response(s.shareOp().describe("g", lookup)));
    }

    @Test
    void everyMemberGetsEveryPartitionOfItsTopics() {
        ShareGroupHeartbeatResponseData first = send("m1", 0, List.of("jobs"));
        ShareGroupHeartbeatResponseData second = send("m2", 0, List.of("jobs", "other", "missing"));

        assertThat(first.memberEpoch()).as("a new group is at epoch 1").isEqualTo(2);
        assertThat(first.heartbeatIntervalMs()).isEqualTo(5000);
        assertThat(assignment(first)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2)));
        assertThat(second.memberEpoch()).isEqualTo(3);
        assertThat(assignment(second)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2), "other", Set.of(0)));

        ShareGroupHeartbeatResponseData again = send("m1", 2, null);
        assertThat(again.memberEpoch()).as("its assignment did not change").isEqualTo(2);
        assertThat(again.assignment()).isNull();
    }

    @Test
    void aNewPartitionReachesMembersWithANewEpoch() {
        send("m1", 0, List.of("jobs"));
        topics.put("jobs", 4);

        ShareGroupHeartbeatResponseData next = send("m1", 2, null);

        assertThat(next.memberEpoch()).isEqualTo(3);
        assertThat(assignment(next)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2, 3)));
    }

    @Test
    void wrongEpochsAndUnknownMembersAreRefused() {
        send("m1", 0, List.of("jobs"));

        assertThat(send("m1", 5, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(send("m1", 1, null).errorCode()).as("below its epoch, not its previous one (0)")
                .isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(send("nobody", 2, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(send("m2", 0, List.of()).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(send("", 0, List.of("jobs")).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void theMembersPreviousEpochIsAcceptedAndAnsweredTheCurrentOne() {
        send("m1", 0, List.of("jobs"));
        assertThat(send("m1", 2, List.of("jobs", "other")).memberEpoch()).isEqualTo(3);

        ShareGroupHeartbeatResponseData behind = send("m1", 2, null);
        assertThat(behind.errorCode()).as("the answer that gave it epoch 3 may have been lost").isZero();
        assertThat(behind.memberEpoch()).isEqualTo(3);
        assertThat(behind.assignment()).as("nothing changed since").isNull();
        ShareGroupHeartbeatResponseData full = send("m1", 2, List.of("jobs", "other"));
        assertThat(full.memberEpoch()).isEqualTo(3);
        assertThat(assignment(full)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2), "other", Set.of(0)));

        assertThat(send("m1", 1, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(send("m1", 4, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        failover();
        assertThat(send("m1", 2, null).memberEpoch()).as("the previous epoch is durable").isEqualTo(3);
    }

    @Test
    void onlyAJoinCreatesTheGroup() {
        assertThat(send("m1", 1, null).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(send("m1", -1, null).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(describe().errorCode()).as("no group made").isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

        send("m1", 0, List.of("jobs"));
        assertThat(send("m2", -1, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void aHeartbeatNamingItsTopicsGetsItsAssignment() {
        send("m1", 0, List.of("jobs"));

        ShareGroupHeartbeatResponseData full = send("m1", 2, List.of("jobs"));

        assertThat(full.memberEpoch()).isEqualTo(2);
        assertThat(assignment(full)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2)));
    }

    @Test
    void leavingAndSessionExpiryRemoveMembers() {
        send("m1", 0, List.of("jobs"));
        send("m2", 0, List.of("jobs"));

        ShareGroupHeartbeatResponseData left = send("m1", -1, null);
        assertThat(left.memberEpoch()).isEqualTo(-1);
        assertThat(describe().members()).extracting(ShareGroupDescribeResponseData.Member::memberId)
                .containsExactly("m2");

        h.advance(GroupCoordinatorConfig.defaults().shareSessionTimeoutMs());
        ShareGroupDescribeResponseData.DescribedGroup empty = describe();
        assertThat(empty.members()).isEmpty();
        assertThat(empty.groupState()).isEqualTo(ShareGroupState.EMPTY.wireName());
        assertThat(send("m2", 3, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void theGroupsSessionTimeoutAndHeartbeatIntervalOverrideTheBrokers() {
        groupConfigs.put("share.session.timeout.ms", "50000");
        groupConfigs.put("share.heartbeat.interval.ms", "6000");
        assertThat(send("m1", 0, List.of("jobs")).heartbeatIntervalMs()).isEqualTo(6000);

        h.advance(GroupCoordinatorConfig.defaults().shareSessionTimeoutMs());
        assertThat(describe().members()).as("alive past the broker's 45 s").hasSize(1);
        h.advance(5_000);
        assertThat(describe().members()).as("gone after the group's 50 s").isEmpty();
    }

    @Test
    void describeShowsEpochsAssignorAndAssignments() {
        send("m1", 0, List.of("jobs"));

        ShareGroupDescribeResponseData.DescribedGroup group = describe();

        assertThat(group.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(group.groupState()).isEqualTo("Stable");
        assertThat(group.groupEpoch()).isEqualTo(2);
        assertThat(group.assignmentEpoch()).isEqualTo(2);
        assertThat(group.assignorName()).isEqualTo("simple");
        ShareGroupDescribeResponseData.Member member = group.members().get(0);
        assertThat(member.subscribedTopicNames()).containsExactly("jobs");
        assertThat(member.assignment().topicPartitions().get(0).topicName()).isEqualTo("jobs");
        assertThat(member.assignment().topicPartitions().get(0).partitions()).containsExactly(0, 1, 2);
    }

    @Test
    void groupsOfOtherTypesAreNotShareGroupsAndTheOtherWayRound() {
        h.run(s -> s.consumerOp().heartbeat((short) 1, "c", "/h", new ConsumerGroupHeartbeatRequestData()
                .setGroupId("consumers").setMemberId("c1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("jobs")).setTopicPartitions(List.of()), lookup, TopicAccess.ALL));
        ShareGroupHeartbeatResponseData refused = h.run(s -> s.shareOp().heartbeat("client", "/h",
                new ShareGroupHeartbeatRequestData().setGroupId("consumers").setMemberId("m").setMemberEpoch(0)
                        .setSubscribedTopicNames(List.of("jobs")), lookup));
        assertThat(refused.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(refused.errorMessage()).isEqualTo("Group consumers is not a share group.");

        send("m1", 0, List.of("jobs"));
        var consumerJoin = h.run(s -> s.consumerOp().heartbeat((short) 1, "c", "/h",
                new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("c1").setMemberEpoch(0)
                        .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("jobs"))
                        .setTopicPartitions(List.of()), lookup, TopicAccess.ALL));
        assertThat(consumerJoin.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

        var classic = h.run(s -> io.strand.coordinator.runtime.CoordinatorResult.response(
                s.adminOps().describe("g", (short) 6)));
        assertThat(classic.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(classic.errorMessage()).isEqualTo("Group g is not a classic group.");
        List<org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup> listed = h.run(s ->
                io.strand.coordinator.runtime.CoordinatorResult.response(s.adminOps().list(Set.of(), Set.of("share"))));
        assertThat(listed).singleElement()
                .satisfies(group -> {
                    assertThat(group.groupId()).isEqualTo("g");
                    assertThat(group.groupType()).isEqualTo("share");
                    assertThat(group.protocolType()).isEqualTo("share");
                    assertThat(group.groupState()).isEqualTo("Stable");
                });
        assertThat(h.run(s -> io.strand.coordinator.runtime.CoordinatorResult.response(
                s.adminOps().describeConsumerGroup("g", lookup))).errorMessage())
                .isEqualTo("Group g is not a consumer group.");
    }

    ShareStatePartitions statePartitions(String groupId) {
        return h.run(s -> s.shareOffsetsOp().statePartitions(groupId));
    }

    @Test
    void assignedAndAlteredPartitionsAreTheGroupsStatePartitionsUntilForgotten() {
        send("m1", 0, List.of("jobs"));
        assertThat(statePartitions("g").partitions()).isEqualTo(Map.of("jobs", new TreeSet<>(Set.of(0, 1, 2))));

        ShareStatePartitions busy = h.run(s -> s.shareOffsetsOp().prepareAlter("g", Map.of("other", Set.of(0)), lookup));
        assertThat(busy.error()).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(h.run(s -> s.shareOffsetsOp().prepareDelete("g")).error()).isEqualTo(Errors.NON_EMPTY_GROUP);

        send("m1", -1, null);
        ShareStatePartitions altered = h.run(s -> s.shareOffsetsOp().prepareAlter("g", Map.of("other", Set.of(0)), lookup));
        assertThat(altered.error()).isEqualTo(Errors.NONE);
        assertThat(altered.partitions()).containsOnlyKeys("jobs", "other");
        assertThat(h.run(s -> s.shareOffsetsOp().prepareDelete("g")).partitions()).containsOnlyKeys("jobs", "other");

        h.run(s -> s.shareOffsetsOp().forget("g", List.of("jobs")));
        assertThat(statePartitions("g").partitions()).isEqualTo(Map.of("other", new TreeSet<>(Set.of(0))));
    }

    @Test
    void altersCreateAShareGroupButNeverTouchAGroupOfAnotherType() {
        assertThat(statePartitions("nobody")).isEqualTo(new ShareStatePartitions(Errors.NONE, null, Map.of()));
        ShareStatePartitions unknown = h.run(s -> s.shareOffsetsOp().prepareDelete("nobody"));
        assertThat(unknown.error()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(unknown.message()).isEqualTo("Group nobody not found.");

        assertThat(h.run(s -> s.shareOffsetsOp().prepareAlter("new", Map.of("jobs", Set.of(1)), lookup)).error())
                .isEqualTo(Errors.NONE);
        ShareGroupDescribeResponseData.DescribedGroup created =
                h.run(s -> io.strand.coordinator.runtime.CoordinatorResult.response(s.shareOp().describe("new", lookup)));
        assertThat(created.errorCode()).isZero();
        assertThat(created.groupState()).isEqualTo(ShareGroupState.EMPTY.wireName());
        assertThat(created.groupEpoch()).as("Kafka's new group epoch").isEqualTo(1);
        assertThat(created.assignmentEpoch()).isEqualTo(1);
        ShareGroupHeartbeatResponseData joined = h.run(s -> s.shareOp().heartbeat("client", "/h",
                new ShareGroupHeartbeatRequestData().setGroupId("new").setMemberId("m1").setMemberEpoch(0)
                        .setSubscribedTopicNames(List.of("jobs")), lookup));
        assertThat(joined.memberEpoch()).isEqualTo(2);

        h.run(s -> s.consumerOp().heartbeat((short) 1, "c", "/h", new ConsumerGroupHeartbeatRequestData()
                .setGroupId("consumers").setMemberId("c1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("jobs")).setTopicPartitions(List.of()), lookup, TopicAccess.ALL));
        ShareStatePartitions other = h.run(s -> s.shareOffsetsOp().prepareAlter("consumers", Map.of(), lookup));
        assertThat(other.error()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(other.message()).isEqualTo("Group consumers is not a share group.");
        assertThat(h.run(s -> s.shareOffsetsOp().prepareDelete("consumers")).error())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(statePartitions("consumers").partitions()).isEmpty();
    }

    List<org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup> listShareGroups() {
        return h.run(s -> CoordinatorResult.response(s.adminOps().list(Set.of(), Set.of("share"))));
    }

    Errors delete(String groupId) {
        return h.<Errors>run(s -> s.adminOps().delete(groupId));
    }

    @Test
    void aHeartbeatWritesKafkasShareGroupRecordsInKafkasOrder() {
        List<CoordinatorRecord> written = new ArrayList<>();
        h.run(s -> {
            CoordinatorResult<ShareGroupHeartbeatResponseData, CoordinatorRecord> result = s.shareOp().heartbeat("client",
                    "/127.0.0.1", new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                            .setMemberEpoch(0).setSubscribedTopicNames(List.of("jobs")), lookup);
            written.addAll(result.records());
            return result;
        });

        assertThat(written).extracting(r -> r.key().getClass().getSimpleName()).containsExactly(
                "MemberMetadataKey", "GroupMetadataKey", "TargetAssignmentMemberKey", "TargetAssignmentMetadataKey",
                "MemberAssignmentKey", "StatePartitionMetadataKey");
        assertThat(written.get(1).value()).as("a new group's epoch 1, bumped")
                .isEqualTo(new ShareGroupRecords.GroupMetadataValue(2, ShareHeartbeatOp.NO_METADATA_HASH));
        assertThat(written.get(4).value()).isEqualTo(new ShareGroupRecords.MemberAssignmentValue(2, 0,
                io.strand.coordinator.group.record.MemberState.STABLE,
                Map.of(lookup.idOf("jobs"), new TreeSet<>(Set.of(0, 1, 2)))));

        written.clear();
        h.run(s -> {
            CoordinatorResult<ShareGroupHeartbeatResponseData, CoordinatorRecord> result = s.shareOp().heartbeat("client",
                    "/127.0.0.1", new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                            .setMemberEpoch(2), lookup);
            written.addAll(result.records());
            return result;
        });
        assertThat(written).as("nothing changed, nothing written").isEmpty();
    }

    @Test
    void membersEpochsAndAssignmentsSurviveAFailover() {
        send("m1", 0, List.of("jobs"));
        send("m2", 0, List.of("jobs", "other"));
        ShareGroupDescribeResponseData.DescribedGroup before = describe();

        failover();

        assertThat(describe()).isEqualTo(before);
        assertThat(describe().assignmentEpoch()).isEqualTo(3);
        ShareGroupHeartbeatResponseData next = send("m1", 2, null);
        assertThat(next.errorCode()).as("the member goes on with its epoch").isZero();
        assertThat(next.memberEpoch()).isEqualTo(2);
        assertThat(send("m3", 0, List.of("jobs")).memberEpoch()).as("the group epoch goes on").isEqualTo(4);
        assertThat(statePartitions("g").partitions()).isEqualTo(Map.of("jobs", new TreeSet<>(Set.of(0, 1, 2)),
                "other", new TreeSet<>(Set.of(0))));
    }

    @Test
    void membersLoadedGetAFreshSessionAndExpireDurably() {
        send("m1", 0, List.of("jobs"));
        failover();

        h.advance(GroupCoordinatorConfig.defaults().shareSessionTimeoutMs() - 1);
        assertThat(describe().members()).hasSize(1);
        h.advance(1);
        assertThat(describe().members()).isEmpty();

        failover();
        ShareGroupDescribeResponseData.DescribedGroup group = describe();
        assertThat(group.members()).as("the expiry was written").isEmpty();
        assertThat(group.groupEpoch()).isEqualTo(3);
        assertThat(send("m1", 2, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void anEmptyGroupWithItsStatePartitionsSurvivesAFailoverUntilDeleted() {
        send("m1", 0, List.of("jobs"));
        send("m1", -1, null);
        h.run(s -> s.shareOffsetsOp().prepareAlter("g", Map.of("other", Set.of(0)), lookup));
        h.run(s -> s.shareOffsetsOp().prepareAlter("altered-only", Map.of("jobs", Set.of(2)), lookup));

        failover();

        assertThat(listShareGroups()).extracting(g -> g.groupId() + "/" + g.groupState())
                .containsExactlyInAnyOrder("g/Empty", "altered-only/Empty");
        assertThat(statePartitions("g").partitions()).isEqualTo(Map.of("jobs", new TreeSet<>(Set.of(0, 1, 2)),
                "other", new TreeSet<>(Set.of(0))));
        assertThat(statePartitions("altered-only").partitions()).isEqualTo(Map.of("jobs", new TreeSet<>(Set.of(2))));
        assertThat(describe().groupEpoch()).isEqualTo(3);

        h.run(s -> s.shareOffsetsOp().forget("g", List.of("jobs")));
        assertThat(delete("altered-only")).isEqualTo(Errors.NONE);
        failover();

        assertThat(statePartitions("g").partitions()).isEqualTo(Map.of("other", new TreeSet<>(Set.of(0))));
        assertThat(listShareGroups()).extracting(g -> g.groupId()).containsExactly("g");
        assertThat(delete("g")).isEqualTo(Errors.NONE);
        failover();
        assertThat(listShareGroups()).isEmpty();
        assertThat(describe().errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(send("m1", 0, List.of("jobs")).memberEpoch()).as("a new group starts over").isEqualTo(2);
    }

    @Test
    void aGroupRecordedAtEpochZeroByAnEarlierAlterReadsBackAsWritten() {
        // What AlterShareGroupOffsets wrote for a new group before share groups started at epoch 1.
        h.run(s -> CoordinatorResult.of(List.of(
                new CoordinatorRecord(new ShareGroupRecords.GroupMetadataKey("g"),
                        new ShareGroupRecords.GroupMetadataValue(0, ShareHeartbeatOp.NO_METADATA_HASH))), null));
        failover();

        ShareGroupDescribeResponseData.DescribedGroup group = describe();
        assertThat(group.errorCode()).isZero();
        assertThat(group.groupEpoch()).isZero();
        assertThat(group.assignmentEpoch()).as("never above the group epoch").isZero();
        assertThat(send("m1", 0, List.of("jobs")).memberEpoch()).as("the epochs go on from 0").isEqualTo(1);
        assertThat(describe().assignmentEpoch()).isEqualTo(1);
    }

    @Test
    void aDeletedTopicIsNoLongerDescribed() {
        send("m1", 0, List.of("jobs", "other"));
        Uuid other = lookup.idOf("other");
        topics.remove("other");
        ids.remove("other");

        ShareGroupDescribeResponseData.Member member = describe().members().get(0);

        assertThat(member.assignment().topicPartitions()).extracting(ShareGroupDescribeResponseData.TopicPartitions::topicName)
                .containsExactly("jobs");
        assertThat(other).isNotEqualTo(Uuid.ZERO_UUID);
    }
}
