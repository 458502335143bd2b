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

        @Override
        public List<List<String>> replicaRacks(String topic) {
            return racks.getOrDefault(topic, List.of());
        }
    };
    /** Topic to each partition's replicas' racks; a topic not here has none. */
    final Map<String, List<List<String>>> racks = new HashMap<>();
    /** Group g's configs (the GROUP config resource). */
    final Map<String, String> groupConfigs = new HashMap<>();
    ShardHarness h = new ShardHarness(GroupCoordinatorConfig.defaults(), new InMemoryOffsetsTopicLog(), time,
            new Random(1), () -> Map.copyOf(topics), groupId -> groupId.equals("g") ? Map.copyOf(groupConfigs) : Map.of(),
            lookup);

    /** A coordinator failover: a new shard loaded from the same log, the old one dropped. */
    void failover() {
        h = new ShardHarness(GroupCoordinatorConfig.defaults(), h.log, time, new Random(2), () -> Map.copyOf(topics),
                groupId -> groupId.equals("g") ? Map.copyOf(groupConfigs) : Map.of(), lookup);
    }

    /** Partitions heartbeats asked to be initialized, in order. */
    final List<ShareStateInit> inits = new ArrayList<>();
    /** Whether the share state a heartbeat asks for is initialized before it is answered, as the coordinator does. */
    boolean initializeState = true;

    /**
     * A heartbeat as the coordinator runs it: answered after the share state it asks for is initialized and
     * recorded so (when {@link #initializeState}).
     */
    ShareGroupHeartbeatResponseData send(String memberId, int epoch, List<String> subscribed) {
        ShareHeartbeatOp.Outcome outcome = h.run(s -> s.shareOp().heartbeat("client", "/127.0.0.1",
                new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(epoch)
                        .setSubscribedTopicNames(subscribed), lookup));
        if (outcome.init() != null) {
            inits.add(outcome.init());
            if (initializeState) {
                h.run(s -> s.shareOp().stateInitialized(outcome.init(), true));
            }
        }
        return outcome.response();
    }

    /**
     * A member's join (epoch 2 for a new group, nothing assigned until the share state is initialized) and its
     * heartbeat once the assignment interval passed, which gets it what it subscribes to at the next epoch.
     */
    ShareGroupHeartbeatResponseData joinAndGetAssigned(String memberId, List<String> subscribed) {
        ShareGroupHeartbeatResponseData joined = send(memberId, 0, subscribed);
        return sendLater(memberId, joined.memberEpoch(), null);
    }

    /** A heartbeat once the assignment interval passed. */
    ShareGroupHeartbeatResponseData sendLater(String memberId, int epoch, List<String> subscribed) {
        time.sleep(GroupCoordinatorConfig.defaults().shareAssignmentIntervalMs());
        return send(memberId, epoch, subscribed);
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
    void membersAreAssignedTheInitializedPartitionsOfTheirTopicsAtTheNextTarget() {
        ShareGroupHeartbeatResponseData joined = send("m1", 0, List.of("jobs"));
        assertThat(joined.memberEpoch()).as("a new group is at epoch 1").isEqualTo(2);
        assertThat(joined.heartbeatIntervalMs()).isEqualTo(5000);
        assertThat(assignment(joined)).as("no share state initialized yet").isEmpty();
        assertThat(inits).extracting(ShareStateInit::stateEpoch).containsExactly(2);
        assertThat(inits.get(0).partitions()).isEqualTo(Map.of(lookup.idOf("jobs"), new TreeSet<>(Set.of(0, 1, 2))));

        ShareGroupHeartbeatResponseData early = send("m1", 2, null);
        assertThat(early.memberEpoch()).as("within the assignment interval").isEqualTo(2);
        assertThat(early.assignment()).isNull();
        assertThat(describe().groupEpoch()).as("bumped once the state was initialized").isEqualTo(3);
        assertThat(describe().assignmentEpoch()).isEqualTo(2);
        ShareGroupHeartbeatResponseData assigned = sendLater("m1", 2, null);
        assertThat(assigned.memberEpoch()).isEqualTo(3);
        assertThat(assignment(assigned)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2)));

        ShareGroupHeartbeatResponseData second = send("m2", 0, List.of("jobs", "other", "missing"));
        assertThat(second.memberEpoch()).as("the last target's epoch, within the interval").isEqualTo(3);
        assertThat(assignment(second)).as("not in that target").isEmpty();
        assertThat(describe().groupEpoch()).isEqualTo(4);
        assertThat(inits).hasSize(2);
        assertThat(inits.get(1).partitions()).as("only what is not initialized yet")
                .isEqualTo(Map.of(lookup.idOf("other"), new TreeSet<>(Set.of(0))));
        ShareGroupHeartbeatResponseData secondAssigned = sendLater("m2", 3, null);
        assertThat(secondAssigned.memberEpoch()).isEqualTo(4);
        assertThat(assignment(secondAssigned)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2), "other", Set.of(0)));

        ShareGroupHeartbeatResponseData first = send("m1", 3, null);
        assertThat(first.memberEpoch()).as("every member moves to the target's epoch").isEqualTo(4);
        assertThat(first.assignment()).as("its partitions did not change").isNull();
        assertThat(send("m1", 4, null).memberEpoch()).isEqualTo(4);
        assertThat(describe().members()).extracting(ShareGroupDescribeResponseData.Member::memberEpoch)
                .containsExactly(4, 4);
    }

    @Test
    void aGroupsOwnAssignmentIntervalBatchesItsTargetsInPlaceOfTheBrokers() {
        groupConfigs.put("share.assignment.interval.ms", "5000");
        send("m1", 0, List.of("jobs"));
        ShareGroupHeartbeatResponseData afterBrokersInterval = sendLater("m1", 2, null);
        assertThat(afterBrokersInterval.memberEpoch()).as("the group's 5 s have not passed").isEqualTo(2);
        assertThat(afterBrokersInterval.assignment()).isNull();
        time.sleep(4_000);
        ShareGroupHeartbeatResponseData assigned = send("m1", 2, null);
        assertThat(assigned.memberEpoch()).isEqualTo(3);
        assertThat(assignment(assigned)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2)));

        groupConfigs.put("share.assignment.interval.ms", "0");
        ShareGroupHeartbeatResponseData second = send("m2", 0, List.of("jobs"));
        assertThat(second.memberEpoch()).as("a target at every change").isEqualTo(4);
    }

    @Test
    void shareStateNotInitializedIsNotAssignedAndAskedForAgainAfterTheRetryInterval() {
        initializeState = false;
        send("m1", 0, List.of("jobs"));
        ShareGroupHeartbeatResponseData later = sendLater("m1", 2, null);
        assertThat(later.memberEpoch()).isEqualTo(2);
        assertThat(later.assignment()).isNull();
        assertThat(inits).as("still being initialized").hasSize(1);

        time.sleep(ShardContext.SHARE_INITIALIZE_RETRY_INTERVAL_MS);
        initializeState = true;
        send("m1", 2, null);
        assertThat(inits).as("asked again").hasSize(2);
        assertThat(inits.get(1).stateEpoch()).isEqualTo(2);
        assertThat(assignment(send("m1", 2, List.of("jobs")))).isEqualTo(Map.of("jobs", Set.of(0, 1, 2)));
    }

    @Test
    void aNewPartitionReachesMembersWithANewEpoch() {
        joinAndGetAssigned("m1", List.of("jobs"));
        topics.put("jobs", 4);

        ShareGroupHeartbeatResponseData seen = send("m1", 3, null);
        assertThat(seen.memberEpoch()).as("its state is initialized first").isEqualTo(3);
        assertThat(inits.get(1).partitions()).isEqualTo(Map.of(lookup.idOf("jobs"), new TreeSet<>(Set.of(3))));
        ShareGroupHeartbeatResponseData next = sendLater("m1", 3, null);

        assertThat(next.memberEpoch()).isEqualTo(4);
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
        joinAndGetAssigned("m1", List.of("jobs"));
        assertThat(send("m1", 3, List.of("jobs", "other")).memberEpoch()).as("the target is not recomputed yet")
                .isEqualTo(3);
        assertThat(sendLater("m1", 3, null).memberEpoch()).isEqualTo(4);

        ShareGroupHeartbeatResponseData behind = send("m1", 3, null);
        assertThat(behind.errorCode()).as("the answer that gave it epoch 4 may have been lost").isZero();
        assertThat(behind.memberEpoch()).isEqualTo(4);
        assertThat(behind.assignment()).as("nothing changed since").isNull();
        ShareGroupHeartbeatResponseData full = send("m1", 3, List.of("jobs", "other"));
        assertThat(full.memberEpoch()).isEqualTo(4);
        assertThat(assignment(full)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2), "other", Set.of(0)));

        assertThat(send("m1", 2, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(send("m1", 5, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        failover();
        assertThat(send("m1", 3, null).memberEpoch()).as("the previous epoch is durable").isEqualTo(4);
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
        joinAndGetAssigned("m1", List.of("jobs"));

        ShareGroupHeartbeatResponseData full = send("m1", 3, List.of("jobs"));

        assertThat(full.memberEpoch()).isEqualTo(3);
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
        joinAndGetAssigned("m1", List.of("jobs"));

        ShareGroupDescribeResponseData.DescribedGroup group = describe();

        assertThat(group.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(group.groupState()).isEqualTo("Stable");
        assertThat(group.groupEpoch()).isEqualTo(3);
        assertThat(group.assignmentEpoch()).isEqualTo(3);
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
                        .setSubscribedTopicNames(List.of("jobs")), lookup)).response();
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
                        .setSubscribedTopicNames(List.of("jobs")), lookup)).response();
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
    void partitionsAddedToASubscribedTopicMoveTheGroupEpochOnceAndAgainWhenInitialized() {
        joinAndGetAssigned("m1", List.of("jobs"));
        assertThat(describe().groupEpoch()).isEqualTo(3);

        topics.put("jobs", 4);
        assertThat(describe().groupEpoch()).as("nothing moves until a heartbeat").isEqualTo(3);
        initializeState = false;
        ShareGroupHeartbeatResponseData changed = sendLater("m1", 3, null);
        assertThat(changed.memberEpoch()).as("the topic's metadata changed: a new epoch and target").isEqualTo(4);
        assertThat(changed.assignment()).as("of the partitions initialized before").isNull();
        assertThat(inits.get(inits.size() - 1).partitions()).isEqualTo(Map.of(lookup.idOf("jobs"), new TreeSet<>(Set.of(3))));
        assertThat(send("m1", 4, null).memberEpoch()).as("nothing more until it is initialized").isEqualTo(4);
        assertThat(describe().groupEpoch()).isEqualTo(4);

        h.run(s -> s.shareOp().stateInitialized(inits.get(inits.size() - 1), true));
        ShareGroupHeartbeatResponseData early = send("m1", 4, null);
        assertThat(describe().groupEpoch()).as("once more, for the partition initialized").isEqualTo(5);
        assertThat(early.memberEpoch()).as("within the assignment interval").isEqualTo(4);
        ShareGroupHeartbeatResponseData assigned = sendLater("m1", 4, null);
        assertThat(assigned.memberEpoch()).isEqualTo(5);
        assertThat(assignment(assigned)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2, 3)));
        assertThat(sendLater("m1", 5, null).memberEpoch()).as("settled").isEqualTo(5);
    }

    @Test
    void aSubscribedTopicCreatedOrDeletedMovesTheGroupEpochAtTheNextHeartbeat() {
        joinAndGetAssigned("m1", List.of("jobs", "later"));
        int epoch = describe().groupEpoch();
        assertThat(sendLater("m1", epoch, null).memberEpoch()).as("settled").isEqualTo(epoch);

        topics.put("later", 2);
        initializeState = false;
        assertThat(sendLater("m1", epoch, null).memberEpoch()).as("created").isEqualTo(epoch + 1);
        topics.remove("later");
        assertThat(sendLater("m1", epoch + 1, null).memberEpoch()).as("deleted").isEqualTo(epoch + 2);
        assertThat(sendLater("m1", epoch + 2, null).memberEpoch()).as("settled").isEqualTo(epoch + 2);
    }

    @Test
    void aSubscribedTopicDeletedAndCreatedAgainBetweenHeartbeatsMovesTheGroupEpoch() {
        topics.put("later", 2);
        int settled = joinAndGetAssigned("m1", List.of("jobs", "later")).memberEpoch();
        // Heartbeats until the epoch rests: each topic's state is initialized, then assigned.
        for (int i = 0, next = sendLater("m1", settled, null).memberEpoch(); next != settled; i++) {
            assertThat(i).as("the epoch rests").isLessThan(5);
            settled = next;
            next = sendLater("m1", settled, null).memberEpoch();
        }
        int groupEpoch = describe().groupEpoch();

        // The same name and partition count, a new topic id: as in Kafka, another topic.
        ids.put("later", new Uuid(99, 99));
        initializeState = false;
        sendLater("m1", settled, null);
        assertThat(describe().groupEpoch()).as("moved by the new topic id").isGreaterThan(groupEpoch);
    }

    @Test
    void aChangeOfTheReplicasRacksMovesTheGroupEpoch() {
        int settled = joinAndGetAssigned("m1", List.of("other")).memberEpoch();
        for (int i = 0, next = sendLater("m1", settled, null).memberEpoch(); next != settled; i++) {
            assertThat(i).as("the epoch rests").isLessThan(5);
            settled = next;
            next = sendLater("m1", settled, null).memberEpoch();
        }
        int groupEpoch = describe().groupEpoch();

        racks.put("other", List.of(List.of("rack-a")));
        int epoch = sendLater("m1", settled, null).memberEpoch();
        int moved = describe().groupEpoch();
        assertThat(moved).as("moved by the rack").isGreaterThan(groupEpoch);
        for (int i = 0; i < 3; i++) {
            epoch = sendLater("m1", epoch, null).memberEpoch();
        }
        assertThat(describe().groupEpoch()).as("the same racks since").isEqualTo(moved);
    }

    @Test
    void aDeletedTopicLeavesTheStatePartitionsAndMovesTheGroupOnceWithoutIt() {
        joinAndGetAssigned("m1", List.of("jobs", "other"));
        int epoch = describe().groupEpoch();
        Uuid other = lookup.idOf("other");
        assertThat(statePartitions("g").partitions()).containsOnlyKeys("jobs", "other");

        topics.remove("other");
        ids.remove("other");
        ShareGroupHeartbeatResponseData moved = sendLater("m1", epoch, null);
        assertThat(moved.memberEpoch()).as("its metadata hash changed").isEqualTo(epoch + 1);
        assertThat(assignment(moved)).isEqualTo(Map.of("jobs", Set.of(0, 1, 2)));
        assertThat(sendLater("m1", epoch + 1, null).memberEpoch())
                .as("its state, still recorded, is not counted as initialized").isEqualTo(epoch + 1);

        h.run(s -> s.shareOffsetsOp().topicsDeleted(Set.of(other)));
        assertThat(statePartitions("g").partitions()).containsOnlyKeys("jobs");
        assertThat(sendLater("m1", epoch + 1, null).memberEpoch()).isEqualTo(epoch + 1);
    }

    @Test
    void aLeavingMembersEpochRecordCarriesTheHashOfTheOtherMembersTopics() {
        joinAndGetAssigned("m1", List.of("jobs"));
        send("m2", 0, List.of("other"));
        List<CoordinatorRecord> written = new ArrayList<>();
        h.run(s -> {
            CoordinatorResult<ShareHeartbeatOp.Outcome, CoordinatorRecord> result = s.shareOp().heartbeat("client",
                    "/127.0.0.1", new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId("m2")
                            .setMemberEpoch(-1), lookup);
            written.addAll(result.records());
            return result;
        });
        assertThat(written.get(written.size() - 1).value()).isEqualTo(new ShareGroupRecords.GroupMetadataValue(
                describe().groupEpoch(), SubscribedTopicsHash.of(List.of("jobs"), topics, lookup)));
        int epoch = describe().groupEpoch();
        sendLater("m1", 3, null);
        assertThat(describe().groupEpoch()).as("no second move for the same topics").isEqualTo(epoch);
    }

    @Test
    void aHeartbeatWritesKafkasShareGroupRecordsInKafkasOrder() {
        List<CoordinatorRecord> written = new ArrayList<>();
        h.run(s -> {
            CoordinatorResult<ShareHeartbeatOp.Outcome, CoordinatorRecord> result = s.shareOp().heartbeat("client",
                    "/127.0.0.1", new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                            .setMemberEpoch(0).setSubscribedTopicNames(List.of("jobs")), lookup);
            written.addAll(result.records());
            return result;
        });

        assertThat(written).extracting(r -> r.key().getClass().getSimpleName()).containsExactly(
                "MemberMetadataKey", "GroupMetadataKey", "TargetAssignmentMemberKey", "TargetAssignmentMetadataKey",
                "MemberAssignmentKey", "StatePartitionMetadataKey");
        assertThat(written.get(1).value()).as("a new group's epoch 1, bumped, with its topics' metadata hash")
                .isEqualTo(new ShareGroupRecords.GroupMetadataValue(2, SubscribedTopicsHash.of(List.of("jobs"), topics, lookup)));
        assertThat(written.get(4).value()).as("nothing initialized to assign")
                .isEqualTo(new ShareGroupRecords.MemberAssignmentValue(2, 0,
                        io.strand.coordinator.group.record.MemberState.STABLE, Map.of()));
        assertThat(written.get(5).value()).isEqualTo(new ShareGroupRecords.StatePartitionMetadataValue(
                Map.of(lookup.idOf("jobs"), new ShareGroupRecords.TopicPartitions("jobs", new TreeSet<>(Set.of(0, 1, 2)))),
                Map.of(), Map.of()));

        written.clear();
        h.run(s -> {
            CoordinatorResult<ShareHeartbeatOp.Outcome, CoordinatorRecord> result = s.shareOp().heartbeat("client",
                    "/127.0.0.1", new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1")
                            .setMemberEpoch(2), lookup);
            written.addAll(result.records());
            return result;
        });
        assertThat(written).as("nothing changed, nothing written").isEmpty();
    }

    @Test
    void membersEpochsAndAssignmentsSurviveAFailover() {
        joinAndGetAssigned("m1", List.of("jobs"));
        joinAndGetAssigned("m2", List.of("jobs", "other"));
        ShareGroupDescribeResponseData.DescribedGroup before = describe();

        failover();

        assertThat(describe()).isEqualTo(before);
        assertThat(describe().assignmentEpoch()).isEqualTo(4);
        ShareGroupHeartbeatResponseData next = send("m1", 3, null);
        assertThat(next.errorCode()).as("the member moves on to the target's epoch").isZero();
        assertThat(next.memberEpoch()).isEqualTo(4);
        assertThat(send("m3", 0, List.of("jobs")).memberEpoch()).as("the target's, within the interval")
                .isEqualTo(4);
        assertThat(describe().groupEpoch()).as("the group epoch goes on").isEqualTo(5);
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
        joinAndGetAssigned("m1", List.of("jobs", "other"));
        Uuid other = lookup.idOf("other");
        topics.remove("other");
        ids.remove("other");

        ShareGroupDescribeResponseData.Member member = describe().members().get(0);

        assertThat(member.assignment().topicPartitions()).extracting(ShareGroupDescribeResponseData.TopicPartitions::topicName)
                .containsExactly("jobs");
        assertThat(other).isNotEqualTo(Uuid.ZERO_UUID);
    }
}
