package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerMember;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever members do — join, sync, heartbeat, leave, commit, go silent, rejoin statically — the
 * state a shard holds equals the state a fresh shard rebuilds from the records it wrote. The same
 * holds for consumer-protocol groups: join, heartbeat (acknowledging revocations or not), leave,
 * static leave, commit, go silent, topics growing.
 */
class ReplayEquivalencePropertyTest {

    private static final List<String> GROUPS = List.of("g0", "g1");
    private static final int CLIENTS = 4;

    @Provide
    Arbitrary<List<Integer>> operations() {
        return Arbitraries.integers().between(0, 7 * GROUPS.size() * CLIENTS - 1).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 200)
    void replayRebuildsTheLiveState(@ForAll("operations") List<Integer> operations) {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        Map<String, String> memberIds = new HashMap<>();
        Map<String, Integer> generations = new HashMap<>();
        for (int op : operations) {
            int kind = op % 7;
            String group = GROUPS.get((op / 7) % GROUPS.size());
            int client = op / (7 * GROUPS.size());
            String key = group + "/" + client;
            String memberId = memberIds.getOrDefault(key, "");
            String instanceId = client % 2 == 0 ? "instance-" + client : null;
            switch (kind) {
                case 0 -> {
                    JoinGroupResponseData joined = h.joinStatic(group, memberId, instanceId).getNow(null);
                    if (joined != null && joined.memberId() != null && !joined.memberId().isEmpty()) {
                        memberIds.put(key, joined.memberId());
                        generations.put(key, joined.generationId());
                    }
                }
                case 1 -> h.sync(group, memberId, generations.getOrDefault(key, 0),
                        Map.of(memberId, new byte[] {(byte) client})).getNow(null);
                case 2 -> h.heartbeat(group, memberId, generations.getOrDefault(key, 0));
                case 3 -> h.leave(group, new MemberIdentity().setMemberId(memberId).setGroupInstanceId(instanceId));
                case 4 -> h.run(s -> s.offsetOps().commit(OffsetOpsTest.commit(group, memberId,
                        generations.getOrDefault(key, -1), "t", client, op, "m" + op)));
                case 5 -> h.advance(ShardHarness.SESSION_TIMEOUT_MS / 2);
                default -> memberIds.remove(key); // the client restarts without its member id
            }
        }
        // Groups at rest (not mid-rebalance) are exactly what the log says they are.
        GroupShard replayedNow = ShardHarness.load(new GroupShard(0, h.shard.config(), h.time, new Random(7)), h.log, h.time);
        Map<String, GroupShard.GroupSnapshot> liveNow = h.shard.snapshot();
        Map<String, GroupShard.GroupSnapshot> replayedAtRest = new HashMap<>(replayedNow.snapshot());
        liveNow.entrySet().removeIf(e -> (e.getValue().state() != GroupState.STABLE
                && e.getValue().state() != GroupState.EMPTY)
                // a group that so far only handed out a member id exists in memory only
                || (e.getValue().generationId() == 0 && !h.group(e.getKey()).pendingMemberIds().isEmpty()));
        replayedAtRest.keySet().retainAll(liveNow.keySet());
        assertThat(replayedAtRest).isEqualTo(liveNow);

        // Let every rebalance in flight run out (rebalance state is not durable by design): silent
        // members expire, join and sync phases time out, and every group ends STABLE or EMPTY.
        for (int i = 0; i < 10; i++) {
            h.advance(ShardHarness.REBALANCE_TIMEOUT_MS);
        }
        assertThat(h.shard.groups()).allSatisfy(g -> assertThat(g.state()).isIn(GroupState.STABLE, GroupState.EMPTY));

        GroupShard replayed = ShardHarness.load(new GroupShard(0, h.shard.config(), h.time, new Random(7)), h.log, h.time);

        assertThat(replayed.snapshot()).isEqualTo(h.shard.snapshot());
    }

    @Provide
    Arbitrary<List<Integer>> consumerOperations() {
        return Arbitraries.integers().between(0, 8 * CLIENTS - 1).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 200)
    void replayRebuildsConsumerGroups(@ForAll("consumerOperations") List<Integer> operations) {
        ConsumerGroupHeartbeatTest h = new ConsumerGroupHeartbeatTest();
        for (int op : operations) {
            int kind = op % 8;
            int client = op / 8;
            String memberId = "m" + client;
            ConsumerGroup group = h.shard.consumerGroup("g");
            ConsumerMember member = group == null ? null : group.member(memberId);
            int epoch = member == null ? 0 : member.memberEpoch();
            switch (kind) {
                case 0 -> h.send(new org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData().setGroupId("g")
                        .setMemberId(memberId).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                        .setInstanceId(client % 2 == 0 ? "i" + client : null)
                        .setSubscribedTopicNames(client % 3 == 0 ? List.of("orders") : List.of("orders", "payments"))
                        .setTopicPartitions(List.of()));
                case 1 -> h.heartbeat(memberId, epoch, null);
                case 2 -> h.heartbeat(memberId, epoch, member == null ? Map.of() : member.assigned());
                case 3 -> h.heartbeat(memberId, -1, null);
                case 4 -> h.send(new org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData().setGroupId("g")
                        .setMemberId(memberId).setInstanceId("i" + client).setMemberEpoch(-2));
                case 5 -> h.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g", memberId, epoch, "orders", client, op,
                        "m" + op)));
                case 6 -> h.advance(20_000);
                default -> h.topics.merge("orders", 1, Integer::sum);
            }
        }
        GroupShard replayed = ShardHarness.load(new GroupShard(0, h.shard.config(), h.time, new Random(7),
                () -> Map.copyOf(h.topics)), h.log, h.time);

        assertThat(replayed.consumerSnapshot()).isEqualTo(h.shard.consumerSnapshot());
        assertThat(replayed.snapshot()).isEqualTo(h.shard.snapshot());
    }
}
