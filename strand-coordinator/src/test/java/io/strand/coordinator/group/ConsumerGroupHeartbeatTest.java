package io.strand.coordinator.group;

import io.strand.common.time.ManualTime;
import io.strand.coordinator.group.assignor.Assignments;
import io.strand.coordinator.group.assignor.RangeAssignor;
import io.strand.coordinator.group.assignor.UniformAssignor;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerGroupState;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.MemberState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import static org.assertj.core.api.Assertions.assertThat;

/** Consumer-protocol (KIP-848) groups on one shard, driven by hand with a manual clock. */
class ConsumerGroupHeartbeatTest {

    static final short VERSION = 1;

    final ManualTime time = new ManualTime();
    final InMemoryOffsetsTopicLog log = new InMemoryOffsetsTopicLog();
    final Map<String, Integer> topics = new HashMap<>(Map.of("orders", 6, "payments", 2, "audit-1", 1, "audit-2", 1));
    final Map<String, Uuid> ids = new HashMap<>();
    final TopicIdLookup lookup = new TopicIdLookup() {
        @Override
        public String nameOf(Uuid topicId) {
            return ids.entrySet().stream().filter(e -> e.getValue().equals(topicId)).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
        }

        @Override
        public Uuid idOf(String topicName) {
            return ids.computeIfAbsent(topicName, n -> new Uuid(n.hashCode(), 7));
        }
    };
    /** Group "g"'s config overrides (the GROUP config resource), read at each operation. */
    final Map<String, String> groupConfigs = new HashMap<>();
    /** What the next heartbeat's principal may describe. */
    TopicAccess access = TopicAccess.ALL;
    ShardHarness h;
    GroupShard shard;

    /**
     * Assignments computed at every change ({@code group.consumer.assignment.interval.ms} 0): most tests
     * step the members by hand, without the clock; {@link #withDefaults} has Kafka's 1 s batching.
     */
    static final GroupCoordinatorConfig AT_ONCE = GroupCoordinatorConfig.from(
            Map.of(GroupCoordinatorConfig.GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS, "0"));

    ConsumerGroupHeartbeatTest() {
        useShard(AT_ONCE);
        topics.keySet().forEach(lookup::idOf);
    }

    private void useShard(GroupCoordinatorConfig config) {
        h = new ShardHarness(config, log, time, new Random(1), () -> Map.copyOf(topics),
                groupId -> groupId.equals("g") ? Map.copyOf(groupConfigs) : Map.of());
        shard = h.shard;
    }

    /** A fresh fixture whose shard has the default settings. */
    static ConsumerGroupHeartbeatTest withDefaults() {
        ConsumerGroupHeartbeatTest fixture = new ConsumerGroupHeartbeatTest();
        fixture.useShard(GroupCoordinatorConfig.defaults());
        return fixture;
    }

    ConsumerGroupHeartbeatResponseData join(String memberId, String... topicNames) {
        return send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of(topicNames)).setTopicPartitions(List.of()));
    }

    ConsumerGroupHeartbeatResponseData heartbeat(String memberId, int epoch, Map<String, Set<Integer>> owned) {
        ConsumerGroupHeartbeatRequestData request = new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId(memberId).setMemberEpoch(epoch).setRebalanceTimeoutMs(-1);
        if (owned != null) {
            List<ConsumerGroupHeartbeatRequestData.TopicPartitions> list = new ArrayList<>();
            owned.forEach((t, ps) -> list.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                    .setTopicId(lookup.idOf(t)).setPartitions(new ArrayList<>(ps))));
            request.setTopicPartitions(list);
        }
        return send(request);
    }

    ConsumerGroupHeartbeatResponseData send(ConsumerGroupHeartbeatRequestData request) {
        return h.run(s -> s.consumerOp().heartbeat(VERSION, "client", "/127.0.0.1", request, lookup, access));
    }

    Map<String, Set<Integer>> assignment(ConsumerGroupHeartbeatResponseData response) {
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.assignment()).as("assignment sent").isNotNull();
        Map<String, Set<Integer>> out = new TreeMap<>();
        response.assignment().topicPartitions().forEach(tp ->
                out.put(lookup.nameOf(tp.topicId()), new TreeSet<>(tp.partitions())));
        return out;
    }

    static Map<String, Set<Integer>> parts(String topic, Integer... partitions) {
        return Map.of(topic, new TreeSet<>(List.of(partitions)));
    }

    void advance(long ms) {
        h.advance(ms);
    }

    /** Runs one operation on the shard, committed at once; see {@link ShardHarness#run}. */
    <T> T run(java.util.function.Function<GroupShard, io.strand.coordinator.runtime.CoordinatorResult<T, CoordinatorRecord>> op) {
        return h.run(op);
    }

    @Test
    void firstMemberGetsEveryPartitionAtOnce() {
        ConsumerGroupHeartbeatResponseData joined = join("m1", "orders");

        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(joined.memberEpoch()).isEqualTo(2);
        assertThat(joined.heartbeatIntervalMs()).isEqualTo(5000);
        assertThat(assignment(joined)).isEqualTo(parts("orders", 0, 1, 2, 3, 4, 5));
        assertThat(shard.consumerGroup("g").state()).isEqualTo(ConsumerGroupState.STABLE);
    }

    @Test
    void changesWithinTheAssignmentIntervalWaitForAHeartbeatAfterIt() {
        ConsumerGroupHeartbeatTest t = withDefaults();
        assertThat(t.join("m1", "orders").memberEpoch()).isEqualTo(2);

        ConsumerGroupHeartbeatResponseData second = t.join("m2", "orders");
        // The group epoch moved, the target did not: m2 is at the target's epoch with nothing.
        assertThat(second.memberEpoch()).isEqualTo(2);
        assertThat(t.assignment(second)).isEmpty();
        ConsumerGroup group = t.shard.consumerGroup("g");
        assertThat(group.groupEpoch()).isEqualTo(3);
        assertThat(group.assignmentEpoch()).isEqualTo(2);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.ASSIGNING);
        t.advance(999);
        assertThat(t.heartbeat("m1", 2, null).assignment()).isNull();
        assertThat(t.shard.consumerGroup("g").assignmentEpoch()).isEqualTo(2);

        t.advance(1);
        ConsumerGroupHeartbeatResponseData revoke = t.heartbeat("m1", 2, null);

        assertThat(t.shard.consumerGroup("g").assignmentEpoch()).isEqualTo(3);
        assertThat(revoke.memberEpoch()).isEqualTo(2);
        assertThat(Assignments.size(t.assignment(revoke))).isEqualTo(3);
        assertThat(t.shard.consumerGroup("g").state()).isEqualTo(ConsumerGroupState.RECONCILING);
    }

    @Test
    void aGroupsOwnAssignmentIntervalReplacesTheBrokers() {
        ConsumerGroupHeartbeatTest t = withDefaults();
        t.groupConfigs.put("consumer.assignment.interval.ms", "5000");
        t.join("m1", "orders");
        t.join("m2", "orders");
        assertThat(t.shard.consumerGroup("g").state()).isEqualTo(ConsumerGroupState.ASSIGNING);

        t.advance(1000); // the broker's interval has passed, the group's has not
        t.heartbeat("m1", 2, null);
        assertThat(t.shard.consumerGroup("g").assignmentEpoch()).isEqualTo(2);
        t.advance(3999);
        t.heartbeat("m1", 2, null);
        assertThat(t.shard.consumerGroup("g").assignmentEpoch()).isEqualTo(2);
        t.advance(1);
        t.heartbeat("m1", 2, null);
        assertThat(t.shard.consumerGroup("g").assignmentEpoch()).isEqualTo(3);

        // Set to 0, the next change is assigned at once.
        t.groupConfigs.put("consumer.assignment.interval.ms", "0");
        t.join("m3", "orders");
        assertThat(t.shard.consumerGroup("g").assignmentEpoch()).isEqualTo(4);
    }

    @Test
    void aMemberWithoutSubscriptionLeavesTheGroupEpochAlone() {
        ConsumerGroupHeartbeatResponseData joined = send(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m0").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of())
                .setTopicPartitions(List.of()));

        assertThat(joined.memberEpoch()).isEqualTo(1);
        assertThat(shard.consumerGroup("g").groupEpoch()).isEqualTo(1);
        assertThat(join("m1", "orders").memberEpoch()).isEqualTo(2);
    }

    @Test
    void aLeaveBumpsTheGroupEpochButComputesNoTarget() {
        join("m1", "orders");
        join("m2", "orders");
        Map<String, Set<Integer>> kept = assignment(heartbeat("m1", 2, null));
        heartbeat("m1", 2, kept);
        heartbeat("m2", 3, Map.of());

        heartbeat("m2", -1, null);

        ConsumerGroup group = shard.consumerGroup("g");
        assertThat(group.groupEpoch()).isEqualTo(4);
        assertThat(group.assignmentEpoch()).isEqualTo(3);
        assertThat(group.state()).isEqualTo(ConsumerGroupState.ASSIGNING);
        heartbeat("m1", -1, null);
        assertThat(shard.consumerGroup("g").state()).isEqualTo(ConsumerGroupState.EMPTY);
        assertThat(shard.consumerGroup("g").groupEpoch()).isEqualTo(5);
        assertThat(shard.consumerGroup("g").assignmentEpoch()).isEqualTo(3);
    }

    @Test
    void secondMemberWaitsUntilTheFirstRevokes() {
        join("m1", "orders");
        ConsumerGroupHeartbeatResponseData second = join("m2", "orders");
        assertThat(second.memberEpoch()).isEqualTo(3);
        assertThat(assignment(second)).isEmpty(); // every target partition is still owned by m1
        assertThat(shard.consumerGroup("g").member("m2").state()).isEqualTo(MemberState.UNRELEASED_PARTITIONS);

        ConsumerGroupHeartbeatResponseData revoke = heartbeat("m1", 2, null);
        assertThat(revoke.memberEpoch()).isEqualTo(2);
        Map<String, Set<Integer>> kept = assignment(revoke);
        assertThat(Assignments.size(kept)).isEqualTo(3);
        assertThat(shard.consumerGroup("g").member("m1").state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);

        // Still owning the revoked partitions: m2 keeps waiting.
        assertThat(heartbeat("m2", 3, Map.of()).assignment()).isNull();

        ConsumerGroupHeartbeatResponseData revoked = heartbeat("m1", 2, kept);
        assertThat(revoked.memberEpoch()).isEqualTo(3);
        ConsumerGroupHeartbeatResponseData released = heartbeat("m2", 3, Map.of());
        Map<String, Set<Integer>> given = assignment(released);
        assertThat(Assignments.size(given)).isEqualTo(3);
        assertThat(Assignments.intersects(given, kept)).isFalse();
        assertThat(shard.consumerGroup("g").state()).isEqualTo(ConsumerGroupState.STABLE);
    }

    @Test
    void silentMemberIsRemovedAfterTheSessionTimeoutAndOthersTakeItsPartitions() {
        join("m1", "orders");
        join("m2", "orders");
        Map<String, Set<Integer>> kept = assignment(heartbeat("m1", 2, null));
        heartbeat("m1", 2, kept);
        heartbeat("m2", 3, Map.of());

        for (int i = 0; i < 10; i++) {
            advance(5_000);
            heartbeat("m1", shard.consumerGroup("g").member("m1").memberEpoch(), null);
        }

        assertThat(shard.consumerGroup("g").member("m2")).isNull();
        assertThat(shard.consumerGroup("g").member("m1").assigned()).isEqualTo(parts("orders", 0, 1, 2, 3, 4, 5));
    }

    @Test
    void leavingMemberFreesItsPartitions() {
        join("m1", "orders");
        join("m2", "orders");
        Map<String, Set<Integer>> kept = assignment(heartbeat("m1", 2, null));
        heartbeat("m1", 2, kept);
        heartbeat("m2", 3, Map.of());

        ConsumerGroupHeartbeatResponseData left = heartbeat("m2", -1, null);

        assertThat(left.memberEpoch()).isEqualTo(-1);
        assertThat(shard.consumerGroup("g").member("m2")).isNull();
        assertThat(assignment(heartbeat("m1", 3, null))).isEqualTo(parts("orders", 0, 1, 2, 3, 4, 5));
    }

    @Test
    void onlyAJoinFindsAGroupThatIsNotThere() {
        assertThat(send(new ConsumerGroupHeartbeatRequestData().setGroupId("none").setMemberId("m1").setMemberEpoch(3)
                .setRebalanceTimeoutMs(-1)).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(send(new ConsumerGroupHeartbeatRequestData().setGroupId("none").setMemberId("m1")
                .setMemberEpoch(-1)).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(send(new ConsumerGroupHeartbeatRequestData().setGroupId("none").setMemberId("m1")
                .setInstanceId("i1").setMemberEpoch(-2)).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void wrongEpochsAndUnknownMembersAreFenced() {
        join("m1", "orders");

        assertThat(heartbeat("m1", 6, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
        assertThat(heartbeat("nobody", 1, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("").setMemberEpoch(0))
                .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void regexSubscriptionFollowsNewTopics() {
        ConsumerGroupHeartbeatResponseData joined = send(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("audit-.*")
                .setTopicPartitions(List.of()));
        // A regex new to the group gets its partitions at the next heartbeat, as Kafka resolves it meanwhile.
        assertThat(joined.memberEpoch()).isEqualTo(1);
        assertThat(assignment(joined)).isEmpty();
        assertThat(assignment(heartbeat("m1", 1, Map.of()))).isEqualTo(Map.of("audit-1", Set.of(0), "audit-2", Set.of(0)));

        topics.put("audit-3", 2);
        lookup.idOf("audit-3");
        ConsumerGroupHeartbeatResponseData after = heartbeat("m1", 2, null);

        assertThat(after.memberEpoch()).isEqualTo(3);
        assertThat(assignment(after)).containsEntry("audit-3", Set.of(0, 1));
        assertThat(send(new ConsumerGroupHeartbeatRequestData().setGroupId("g2").setMemberId("x").setMemberEpoch(0)
                .setRebalanceTimeoutMs(1).setSubscribedTopicRegex("[").setTopicPartitions(List.of())).errorCode())
                .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
    }

    ConsumerGroupHeartbeatResponseData joinByRegex(String memberId, String regex) {
        return send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex(regex).setTopicPartitions(List.of()));
    }

    @Test
    void regexResolvesOnlyOverTopicsThePrincipalMayDescribe() {
        access = topic -> topic.startsWith("audit-");
        joinByRegex("m1", ".*");
        ConsumerGroupHeartbeatResponseData joined = heartbeat("m1", 1, Map.of());
        assertThat(assignment(joined)).isEqualTo(Map.of("audit-1", Set.of(0), "audit-2", Set.of(0)));
        assertThat(shard.consumerGroup("g").subscribedTopicPartitions()).containsOnlyKeys("audit-1", "audit-2");

        access = topic -> !topic.equals("payments"); // an ACL on orders added since
        ConsumerGroupHeartbeatResponseData after = heartbeat("m1", 2, Map.of("audit-1", Set.of(0), "audit-2", Set.of(0)));
        assertThat(assignment(after)).containsOnlyKeys("audit-1", "audit-2", "orders");
    }

    @Test
    void eachMemberResolvesItsRegexWithItsOwnPrincipal() {
        access = topic -> topic.equals("orders");
        joinByRegex("m1", ".*");
        access = TopicAccess.ALL;
        joinByRegex("m2", "audit-.*|orders");
        access = topic -> topic.equals("orders");
        heartbeat("m1", 1, Map.of());

        Map<String, Map<String, Set<Integer>>> target = shard.consumerGroup("g").targetAssignment();
        assertThat(target.get("m1")).containsOnlyKeys("orders");
        assertThat(target.get("m2")).containsKeys("audit-1", "audit-2");
        assertThat(shard.consumerGroup("g").subscribedTopicPartitions()).doesNotContainKey("payments");
    }

    @Test
    void afterFailoverAMemberKeepsItsRecordedMatchesUntilItHeartbeats() {
        access = topic -> !topic.equals("payments");
        joinByRegex("m1", ".*");
        ShardHarness failover = new ShardHarness(GroupCoordinatorConfig.defaults(), log, time, new Random(2),
                () -> Map.copyOf(topics));
        access = TopicAccess.ALL;
        failover.run(s -> s.consumerOp().heartbeat(VERSION, "client", "/127.0.0.1",
                new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m2").setMemberEpoch(0)
                        .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("audit-1"))
                        .setTopicPartitions(List.of()), lookup, access));

        Map<String, Map<String, Set<Integer>>> target = failover.shard.consumerGroup("g").targetAssignment();
        assertThat(failover.shard.consumerGroup("g").subscribedTopicPartitions())
                .containsOnlyKeys("orders", "audit-1", "audit-2");
        assertThat(target.get("m1")).doesNotContainKey("payments").containsKey("orders");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void backtrackingRegexMatchesInLinearTimeAndBackReferencesAreInvalid() {
        // Against this name a backtracking engine tries some 49^12 ways before failing.
        String victim = "a".repeat(48) + "b";
        topics.put(victim, 1);
        lookup.idOf(victim);
        ConsumerGroupHeartbeatResponseData joined = send(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicRegex("audit-.*|(.*a){12}").setTopicPartitions(List.of()));

        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(assignment(heartbeat("m1", 1, Map.of()))).isEqualTo(Map.of("audit-1", Set.of(0), "audit-2", Set.of(0)));
        // RE2 has no back-references; Kafka refuses them the same way.
        assertThat(send(new ConsumerGroupHeartbeatRequestData().setGroupId("g2").setMemberId("x").setMemberEpoch(0)
                .setRebalanceTimeoutMs(1).setSubscribedTopicRegex("(a)\\1").setTopicPartitions(List.of()))
                .errorCode()).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION.code());
    }

    @Test
    void rangeAndUniformSpreadPartitionsDifferently() {
        Map<String, Set<String>> subs = Map.of("a", Set.of("orders", "payments"), "b", Set.of("orders", "payments"));
        Map<String, Integer> counts = Map.of("orders", 3, "payments", 3);

        Map<String, Map<String, Set<Integer>>> range = new RangeAssignor().assign(subs, counts, Map.of());
        Map<String, Map<String, Set<Integer>>> uniform = new UniformAssignor().assign(subs, counts, Map.of());

        assertThat(range.get("a")).isEqualTo(Map.of("orders", Set.of(0, 1), "payments", Set.of(0, 1)));
        assertThat(range.get("b")).isEqualTo(Map.of("orders", Set.of(2), "payments", Set.of(2)));
        assertThat(Assignments.size(uniform.get("a"))).isEqualTo(3);
        assertThat(Assignments.size(uniform.get("b"))).isEqualTo(3);
    }

    @Test
    void memberChoosesTheRangeAssignor() {
        send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1").setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("orders")).setServerAssignor("range")
                .setTopicPartitions(List.of()));

        assertThat(shard.planner().assignor(shard.consumerGroup("g").members()).name())
                .isEqualTo("range");
        assertThat(send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m2").setMemberEpoch(0)
                .setRebalanceTimeoutMs(1).setSubscribedTopicNames(List.of("orders")).setServerAssignor("sticky")
                .setTopicPartitions(List.of())).errorCode()).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR.code());
    }

    @Test
    void uniformAssignorIsSticky() {
        Map<String, Set<String>> two = Map.of("a", Set.of("orders"), "b", Set.of("orders"));
        Map<String, Map<String, Set<Integer>>> before = new UniformAssignor().assign(two, Map.of("orders", 6), Map.of());
        Map<String, Set<String>> three = Map.of("a", Set.of("orders"), "b", Set.of("orders"), "c", Set.of("orders"));

        Map<String, Map<String, Set<Integer>>> after = new UniformAssignor().assign(three, Map.of("orders", 6), before);

        assertThat(Assignments.isSubset(after.get("a"), before.get("a"))).isTrue();
        assertThat(Assignments.isSubset(after.get("b"), before.get("b"))).isTrue();
        assertThat(Assignments.size(after.get("c"))).isEqualTo(2);
    }

    private static io.strand.coordinator.group.consumer.ConsumerMember subscriber(String id, String regex,
                                                                               String... names) {
        return new io.strand.coordinator.group.consumer.ConsumerMember(id,
                new CoordinatorRecord.ConsumerMemberMetadataValue(null, null, "c", "/h", List.of(names), regex, null,
                        30_000), io.strand.coordinator.group.consumer.ConsumerMember.NO_ASSIGNMENT);
    }

    @Test
    void subscriptionsAreHomogeneousAsKafkaCountsThem() {
        assertThat(ConsumerAssignmentPlanner.homogeneous(List.of(subscriber("a", null, "x", "y"),
                subscriber("b", null, "y", "x")))).isTrue();
        assertThat(ConsumerAssignmentPlanner.homogeneous(List.of(subscriber("a", null, "x"),
                subscriber("b", null, "x", "missing")))).as("a topic that does not exist counts").isFalse();
        assertThat(ConsumerAssignmentPlanner.homogeneous(List.of(subscriber("a", null, "x"), subscriber("b", null))))
                .as("a member without topics").isFalse();
        assertThat(ConsumerAssignmentPlanner.homogeneous(List.of(subscriber("a", "x.*"), subscriber("b", "x.*"))))
                .isTrue();
        assertThat(ConsumerAssignmentPlanner.homogeneous(List.of(subscriber("a", "x.*"), subscriber("b", "x.+"))))
                .isFalse();
        assertThat(ConsumerAssignmentPlanner.homogeneous(List.of(subscriber("a", "x.*"), subscriber("b", null, "x"))))
                .isFalse();
    }

    @Test
    void uniformAssignorBalancesMembersOfDifferentSubscriptionsByMovingPartitions() {
        join("a", "orders", "payments");
        join("b", "orders", "payments");
        Map<String, Set<Integer>> before = shard.consumerGroup("g").targetAssignment().get("a");
        assertThat(Assignments.size(before)).isEqualTo(4);
        // Then a keeps only orders: b takes all of payments and would hold 5 partitions to a's 3 or so,
        // so orders partitions move from b to a (balance before stickiness) until both hold 4.
        send(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("a").setMemberEpoch(
                shard.consumerGroup("g").member("a").memberEpoch()).setRebalanceTimeoutMs(-1)
                .setSubscribedTopicNames(List.of("orders")));

        Map<String, Map<String, Set<Integer>>> target = shard.consumerGroup("g").targetAssignment();
        assertThat(target.get("a").keySet()).containsExactly("orders");
        assertThat(target.get("a").get("orders")).hasSize(4).containsAll(before.getOrDefault("orders", Set.of()));
        assertThat(target.get("b").get("payments")).isEqualTo(Set.of(0, 1));
        assertThat(target.get("b").get("orders")).hasSize(2);
    }

    @Test
    void offsetCommitChecksTheMemberEpoch() {
        join("m1", "orders");
        OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId("g").setMemberId("m1")
                .setGenerationIdOrMemberEpoch(2).setTopics(List.of(new OffsetCommitRequestTopic().setName("orders")
                        .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(42)))));

        assertThat(h.run(s -> s.offsetOps().commit(commit)).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(h.run(s -> s.offsetOps().commit(commit.setGenerationIdOrMemberEpoch(1))).topics().get(0).partitions().get(0)
                .errorCode()).isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
        assertThat(h.run(s -> s.offsetOps().commit(commit.setMemberId("x"))).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    Errors commitAt(String memberId, int epoch, String topic, int partition) {
        OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId("g").setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(epoch).setTopics(List.of(new OffsetCommitRequestTopic().setName(topic)
                        .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(partition)
                                .setCommittedOffset(7)))));
        return Errors.forCode(h.run(s -> s.offsetOps().commit(commit, (short) 9)).topics().get(0).partitions().get(0)
                .errorCode());
    }

    @Test
    void anOlderEpochCommitsThePartitionsTheMemberHadThen() {
        join("m1", "orders");
        join("m2", "orders");
        Map<String, Set<Integer>> kept = assignment(heartbeat("m1", 2, null));
        heartbeat("m1", 2, kept);
        Map<String, Set<Integer>> given = assignment(heartbeat("m2", 3, Map.of()));
        int keptPartition = kept.get("orders").iterator().next();
        int givenPartition = given.get("orders").iterator().next();
        assertThat(shard.consumerGroup("g").member("m1").memberEpoch()).isEqualTo(3);

        // m1 had keptPartition since epoch 2: its commit at epoch 2 races its heartbeat harmlessly.
        assertThat(commitAt("m1", 2, "orders", keptPartition)).isEqualTo(Errors.NONE);
        assertThat(commitAt("m1", 2, "orders", givenPartition)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commitAt("m1", 4, "orders", keptPartition)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        // m2 was given its partitions at epoch 3: an epoch-2 commit is a zombie's.
        assertThat(commitAt("m2", 2, "orders", givenPartition)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commitAt("m2", 3, "orders", givenPartition)).isEqualTo(Errors.NONE);
        // OffsetFetch still wants the member's epoch.
        assertThat(h.shard.offsetOps().fetch(new org.apache.kafka.common.message.OffsetFetchRequestData
                .OffsetFetchRequestGroup().setGroupId("g").setMemberId("m1").setMemberEpoch(2)).errorCode())
                .isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
    }

    /** A TxnOffsetCommit of the given partitions of "orders"; every partition's error, in order. */
    List<Errors> txnCommitAt(String memberId, int epoch, Integer... partitions) {
        List<org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition> list =
                new ArrayList<>();
        for (int p : partitions) {
            list.add(new org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                    .setPartitionIndex(p).setCommittedOffset(9));
        }
        org.apache.kafka.common.message.TxnOffsetCommitRequestData request =
                new org.apache.kafka.common.message.TxnOffsetCommitRequestData().setTransactionalId("t")
                        .setGroupId("g").setProducerId(5).setProducerEpoch((short) 0).setMemberId(memberId)
                        .setGenerationId(epoch).setTopics(List.of(new org.apache.kafka.common.message
                                .TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("orders")
                                .setPartitions(list)));
        return h.runTransactional(5, (short) 0, s -> s.txnOffsetCommitOp().commit(request)).topics().get(0)
                .partitions().stream().map(p -> Errors.forCode(p.errorCode())).toList();
    }

    @Test
    void aTransactionalCommitAtAnOlderEpochNeedsEveryPartitionHeldSinceThen() {
        join("m1", "orders");
        join("m2", "orders");
        Map<String, Set<Integer>> kept = assignment(heartbeat("m1", 2, null));
        heartbeat("m1", 2, kept);
        Map<String, Set<Integer>> given = assignment(heartbeat("m2", 3, Map.of()));
        int keptPartition = kept.get("orders").iterator().next();
        int givenPartition = given.get("orders").iterator().next();
        assertThat(shard.consumerGroup("g").member("m1").memberEpoch()).isEqualTo(3);

        assertThat(txnCommitAt("m1", 2, keptPartition)).containsExactly(Errors.NONE);
        // One partition not held since epoch 2 fails the whole request (OffsetCommit would fail it alone).
        assertThat(txnCommitAt("m1", 2, keptPartition, givenPartition))
                .containsExactly(Errors.ILLEGAL_GENERATION, Errors.ILLEGAL_GENERATION);
        assertThat(txnCommitAt("m1", 4, keptPartition)).containsExactly(Errors.ILLEGAL_GENERATION);
        assertThat(txnCommitAt("m2", 2, givenPartition)).containsExactly(Errors.ILLEGAL_GENERATION);
        assertThat(txnCommitAt("m2", 3, givenPartition)).containsExactly(Errors.NONE);
        assertThat(txnCommitAt("m1", -1, keptPartition)).as("a member's epoch -1 is older than any")
                .containsExactly(Errors.ILLEGAL_GENERATION);
        assertThat(txnCommitAt("x", 3, keptPartition)).containsExactly(Errors.UNKNOWN_MEMBER_ID);
        // A producer naming no member (v0-2, or without the consumer's group metadata) commits anything.
        assertThat(txnCommitAt("", -1, keptPartition, givenPartition)).containsExactly(Errors.NONE, Errors.NONE);
        assertThat(txnCommitAt("", -2, keptPartition)).containsExactly(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void classicAndConsumerGroupsDoNotMix() {
        join("m1", "orders");

        assertThat(h.run(s -> s.joinOp().join((short) 9, "c", "/h",
                ShardHarness.joinRequest("g", "", null, "consumer", "range"))).join().errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        assertThat(shard.group("g")).isNull();
    }

    @Test
    void replayRebuildsConsumerGroups() {
        join("m1", "orders");
        join("m2", "orders", "payments");
        Map<String, Set<Integer>> kept = assignment(heartbeat("m1", 2, null));
        heartbeat("m1", 2, kept);

        GroupShard replayed = ShardHarness.load(new GroupShard(0, shard.config(), time, new Random(3), () -> Map.copyOf(topics)), log, time);

        assertThat(replayed.consumerSnapshot()).isEqualTo(shard.consumerSnapshot());
    }
}
